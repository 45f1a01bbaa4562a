#include "parse/line_cache.h"

#include "model/hash_primitives.h"
#include "model/strings.h"

namespace gorleak {

uint64_t line_cache_hash(std::string_view line, bool full) {
  size_t n = line.size();
  if (full || n < 24) return hash_bytes(line, 0x6c696e65);
  // Lines of one file differ in their ends (line number, PC offset), lines
  // of one frame kind in their beginnings (PC) and middles (path).
  const char* p = line.data();
  uint64_t h = mum(load64(p) ^ (n * 0xe7037ed1a0b428dbULL), 0x8ebc6af09c88c6e3ULL);
  h = mum(h ^ load64(p + 8), 0xa0761d6478bd642fULL);
  h = mum(h ^ load64(p + n / 2 - 4), 0x589965cc75374cc3ULL);
  h = mum(h ^ load64(p + n - 8), 0x1d8e4e27c47d124fULL);
  return h;
}

}  // namespace gorleak
