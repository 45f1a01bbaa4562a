// Goroutine id -> group index for one snapshot, so a `created by … in
// goroutine N` can name the group its parent belongs to. Parents may be
// printed before or after their children, so the lookup happens when the
// snapshot ends; until then every id is remembered, up to a cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gorleak {

class IdIndex {
 public:
  // The bound: at most this many ids per snapshot (2^18 ids, a table of at
  // most 2^19 slots x 12 bytes = 6 MiB). Go prints goroutines roughly in
  // creation order, so parents tend to be among the first; a parent beyond
  // the cap simply stays unresolved (its spawn edges keep their counts).
  static constexpr size_t kMaxIds = size_t{1} << 18;

  // Empties the index. A table grown past 64 slots is freed, and one of 64
  // made in its place.
  void clear();
  // Records the first group seen for `id`; later duplicates (goroutine 0
  // repeats once per thread) and ids past the cap are ignored.
  void insert(uint64_t id, uint32_t group);
  // Starts loading the slot insert(id) will look at first.
  void prefetch(uint64_t id) const {
    if (ids_.empty()) return;
    size_t slot = slot_of(id);
    __builtin_prefetch(&ids_[slot]);
    __builtin_prefetch(&groups_[slot]);
  }
  // Returns false when `id` was never recorded.
  bool find(uint64_t id, uint32_t* group) const;
  size_t size() const { return size_; }
  bool full() const { return size_ >= kMaxIds; }

 private:
  void grow();
  size_t slot_of(uint64_t id) const;

  std::vector<uint64_t> ids_;
  std::vector<uint32_t> groups_;  // group + 1, 0 = empty slot
  size_t size_ = 0;
};

}  // namespace gorleak
