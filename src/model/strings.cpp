#include "model/strings.h"

#include <cstring>

#include "model/hash_primitives.h"

namespace gorleak {

namespace {
constexpr size_t kFirstBlock = 64 * 1024;
}  // namespace

uint64_t hash_bytes(std::string_view s, uint64_t seed) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = seed ^ 0xa0761d6478bd642fULL ^ (n * 0xe7037ed1a0b428dbULL);
  while (n >= 8) {
    h = mum(h ^ load64(p), 0x8ebc6af09c88c6e3ULL);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  if (n > 0) std::memcpy(&tail, p, n);
  h = mum(h ^ tail, 0x589965cc75374cc3ULL);
  return mum(h, 0x1d8e4e27c47d124fULL);
}

StringTable::StringTable() {
  slots_.assign(1024, 0);
  intern("");
}

std::string_view StringTable::store(std::string_view s) {
  if (s.empty()) return {};
  if (blocks_.empty() || block_used_ + s.size() > block_size_) {
    block_size_ = s.size() > kFirstBlock ? s.size() : kFirstBlock;
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* dst = blocks_.back().get() + block_used_;
  std::memcpy(dst, s.data(), s.size());
  block_used_ += s.size();
  return {dst, s.size()};
}

uint64_t StringTable::slot_hash(std::string_view s) const {
  if (full_hash_ || s.size() < 16) return hash_bytes(s);
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = mum(load64(p) ^ (n * 0xe7037ed1a0b428dbULL), 0x8ebc6af09c88c6e3ULL);
  h = mum(h ^ load64(p + n / 2 - 4), 0x589965cc75374cc3ULL);
  h = mum(h ^ load64(p + n - 8), 0x1d8e4e27c47d124fULL);
  return h;
}

void StringTable::rebuild(size_t slots) {
  slots_.assign(slots, 0);
  size_t mask = slots - 1;
  for (uint32_t id = 0; id < entries_.size(); ++id) {
    uint64_t h = slot_hash(entries_[id]);
    size_t i = h & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = make_tagged_slot(h, id);
  }
}

bool StringTable::find(std::string_view s, StrId* out) const {
  uint64_t h = slot_hash(s);
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots_[i];
    if (slot == 0) return false;
    uint32_t id = slot_id(slot);
    if (slot_tag_matches(slot, h) && entries_[id] == s) {
      *out = id;
      return true;
    }
  }
}

StrId StringTable::intern(std::string_view s) {
  uint64_t h = slot_hash(s);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  size_t probes = 0;
  for (;; i = (i + 1) & mask, ++probes) {
    uint64_t slot = slots_[i];
    if (slot == 0) break;
    uint32_t id = slot_id(slot);
    if (slot_tag_matches(slot, h) && entries_[id] == s) return id;
  }
  if (probes > 64 && !full_hash_) {
    full_hash_ = true;
    rebuild(slots_.size());
    return intern(s);
  }
  StrId id = static_cast<StrId>(entries_.size());
  entries_.push_back(store(s));
  slots_[i] = make_tagged_slot(h, id);
  if (entries_.size() * 2 > slots_.size()) rebuild(slots_.size() * 2);
  return id;
}

size_t StringTable::memory_bytes() const {
  return blocks_.size() * kFirstBlock + entries_.capacity() * sizeof(std::string_view) +
         slots_.capacity() * sizeof(uint64_t);
}

}  // namespace gorleak
