// A memo from the exact bytes of a line to what parsing it produced. A dump
// prints the same call site's file line (debug=2) or frame line (debug=1)
// once per goroutine that passes through it, so most lines have been seen
// before: a hit costs one hash and one comparison instead of a parse and
// string interning. Only pure results may be cached: the value must follow
// from the line's bytes alone (interned ids never change once given).
//
// Memory is bounded: at most max_entries lines of up to kMaxLineBytes, in
// at most max_key_bytes of key storage. A full cache stops learning and
// keeps answering; lines that never repeat (` fp=… sp=…`) just miss. A
// cache given room to grow (the ceilings) doubles its bounds when it is full
// and paying: at least as many lookups hit as missed since it last filled.
// A dump of many distinct stacks has more distinct file lines than the
// default bounds hold, and each of them repeats; lines that never repeat
// never make it grow.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gorleak {

// Hash of a line for LineCache: cheap (length and four words) unless `full`.
uint64_t line_cache_hash(std::string_view line, bool full);

template <typename Value>
class LineCache {
  static_assert(std::is_trivially_copyable_v<Value>);

 public:
  static constexpr size_t kMaxLineBytes = 256;
  static constexpr size_t kDefaultEntries = size_t{1} << 15;
  static constexpr size_t kDefaultKeyBytes = size_t{2} << 20;

  static constexpr size_t kCeilingEntries = size_t{1} << 19;
  static constexpr size_t kCeilingKeyBytes = size_t{32} << 20;

  // Ceilings of 0: the bounds never grow.
  explicit LineCache(size_t max_entries = kDefaultEntries,
                     size_t max_key_bytes = kDefaultKeyBytes, size_t ceiling_entries = 0,
                     size_t ceiling_key_bytes = 0)
      : max_entries_(max_entries),
        max_key_bytes_(max_key_bytes),
        ceiling_entries_(std::max(ceiling_entries, max_entries)),
        ceiling_key_bytes_(std::max(ceiling_key_bytes, max_key_bytes)) {}

  // On a hit copies the cached value to *out. *hash is for insert().
  bool find(std::string_view line, Value* out, uint64_t* hash) {
    if (line.empty() || line.size() > kMaxLineBytes || slots_.empty()) {
      *hash = 0;
      return false;
    }
    uint64_t h = line_cache_hash(line, full_hash_);
    *hash = h;
    size_t mask = slots_.size() - 1;
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    size_t probes = 0;
    for (size_t i = h & mask;; i = (i + 1) & mask, ++probes) {
      const Slot& s = slots_[i];
      if (s.length == 0) break;
      if (s.tag == tag && s.length == line.size() &&
          std::memcmp(keys_.data() + s.offset, line.data(), line.size()) == 0) {
        *out = s.value;
        ++hits_;
        return true;
      }
    }
    ++misses_;
    // The cheap hash reads only a few words, so crafted lines can share
    // it; a long chain switches to hashing every byte.
    if (probes > kMaxProbes && !full_hash_) {
      full_hash_ = true;
      rehash(slots_.size());
      *hash = line_cache_hash(line, true);
    }
    return false;
  }

  // Remembers `line` (with the hash find() gave for it) unless it is too
  // long or the cache is full.
  void insert(std::string_view line, uint64_t hash, const Value& value) {
    if (line.empty() || line.size() > kMaxLineBytes) return;
    if (entries_ >= max_entries_ || keys_.size() + line.size() > max_key_bytes_) {
      if (hits_ < misses_ || (max_entries_ >= ceiling_entries_ && max_key_bytes_ >= ceiling_key_bytes_))
        return;
      max_entries_ = std::min(max_entries_ * 2, ceiling_entries_);
      max_key_bytes_ = std::min(max_key_bytes_ * 2, ceiling_key_bytes_);
      hits_ = misses_ = 0;
      if (entries_ >= max_entries_ || keys_.size() + line.size() > max_key_bytes_) return;
    }
    if (slots_.empty()) {
      size_t first = 4;
      while (first < kFirstSlots && first < max_entries_ * 2) first *= 2;
      slots_.resize(first);
      hash = line_cache_hash(line, full_hash_);
    }
    Slot s;
    s.tag = static_cast<uint32_t>(hash >> 32);
    s.offset = static_cast<uint32_t>(keys_.size());
    s.length = static_cast<uint32_t>(line.size());
    s.value = value;
    keys_.insert(keys_.end(), line.begin(), line.end());
    place(s, hash);
    ++entries_;
    if (entries_ * 2 > slots_.size()) rehash(slots_.size() * 2);
  }

  size_t size() const { return entries_; }
  bool full_hash() const { return full_hash_; }
  size_t memory_bytes() const { return keys_.capacity() + slots_.capacity() * sizeof(Slot); }

 private:
  static constexpr size_t kFirstSlots = 256;
  static constexpr size_t kMaxProbes = 32;

  struct Slot {
    uint32_t tag = 0;     // high half of the line's hash
    uint32_t offset = 0;  // into keys_
    uint32_t length = 0;  // 0: empty slot
    Value value{};
  };

  void place(const Slot& s, uint64_t hash) {
    size_t mask = slots_.size() - 1;
    size_t i = hash & mask;
    while (slots_[i].length != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }

  void rehash(size_t n) {
    std::vector<Slot> old(n);
    old.swap(slots_);
    for (Slot& s : old) {
      if (s.length == 0) continue;
      uint64_t h = line_cache_hash(std::string_view(keys_.data() + s.offset, s.length),
                                   full_hash_);
      s.tag = static_cast<uint32_t>(h >> 32);
      place(s, h);
    }
  }

  size_t max_entries_;
  size_t max_key_bytes_;
  size_t ceiling_entries_;
  size_t ceiling_key_bytes_;
  uint64_t hits_ = 0, misses_ = 0;  // since the cache last filled
  size_t entries_ = 0;
  bool full_hash_ = false;
  std::vector<char> keys_;
  std::vector<Slot> slots_;  // open addressing, power-of-two size
};

}  // namespace gorleak
