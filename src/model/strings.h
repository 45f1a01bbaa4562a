// Interned strings: every function name and file path is stored once per run,
// so a million goroutines sharing ten thousand frames cost ten thousand strings.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace gorleak {

// Index into a StringTable. 0 is always the empty string.
using StrId = uint32_t;

class StringTable {
 public:
  StringTable();
  StringTable(const StringTable&) = delete;
  StringTable& operator=(const StringTable&) = delete;

  // Returns the id of `s`, adding it on first sight. Views returned by
  // view() stay valid for the table's lifetime (storage never moves).
  StrId intern(std::string_view s);
  // Looks up without adding; returns false when unknown.
  bool find(std::string_view s, StrId* out) const;
  std::string_view view(StrId id) const { return entries_[id]; }
  size_t size() const { return entries_.size(); }
  size_t memory_bytes() const;

 private:
  std::string_view store(std::string_view s);
  uint64_t slot_hash(std::string_view s) const;
  void rebuild(size_t slots);

  // Probing starts from a cheap hash of a string's length and a few of its
  // words. Crafted input could make many strings collide on those words, so
  // a probe that runs long switches the table to hashing every byte.
  bool full_hash_ = false;

  std::vector<std::string_view> entries_;
  // Open addressing: a slot holds the high half of its entry's slot_hash
  // and id+1 (0 = empty), so a probe past another string reads no string.
  std::vector<uint64_t> slots_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
};

// 64-bit hash used for strings and stack signatures (wyhash-style mixing).
uint64_t hash_bytes(std::string_view s, uint64_t seed = 0);
inline uint64_t hash_mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}

}  // namespace gorleak
