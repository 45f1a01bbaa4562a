// The building blocks of every hash in gorleak (strings, stacks, line
// memos): an unaligned 8-byte load, the wyhash "mum" mix (a 64x64->128
// multiply folded back to 64 bits), and the tagged slots of the
// open-addressing tables.
#pragma once

#include <cstdint>
#include <cstring>

namespace gorleak {

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t mum(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// A table slot holding the high half of an entry's hash next to its id + 1
// (0 = empty): a probe past another entry compares tags, not entries.
inline uint64_t make_tagged_slot(uint64_t hash, uint32_t id) {
  return (hash & 0xffffffff00000000ULL) | (uint64_t{id} + 1);
}
inline bool slot_tag_matches(uint64_t slot, uint64_t hash) { return ((slot ^ hash) >> 32) == 0; }
inline uint32_t slot_id(uint64_t slot) { return static_cast<uint32_t>(slot) - 1; }

}  // namespace gorleak
