// Who created a group's goroutines: the parent goroutine ids behind one
// `created by` site, kept as a fixed-size heavy-hitter table so a group of a
// million children with a million distinct parents still costs a few bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace gorleak {

// Space-saving (Metwally et al.) over parent ids, k = kSlots.
// While a group has at most kSlots distinct parents every count is exact.
// Beyond that, a new parent takes over the slot of the smallest count and
// inherits it (+1), so a count may overstate its parent by at most the
// smallest count in the table; the counts always sum to the goroutines seen,
// and any parent with more than total/kSlots children is guaranteed a slot.
class SpawnCounter {
 public:
  static constexpr size_t kSlots = 8;

  struct Entry {
    uint64_t parent_id = 0;
    uint64_t count = 0;
  };

  void add(uint64_t parent_id, uint64_t count) {
    size_t min_i = 0;
    for (size_t i = 0; i < size_; ++i) {
      if (entries_[i].parent_id == parent_id) {
        entries_[i].count += count;
        return;
      }
      if (entries_[i].count < entries_[min_i].count) min_i = i;
    }
    if (size_ < kSlots) {
      entries_[size_++] = Entry{parent_id, count};
      return;
    }
    entries_[min_i].parent_id = parent_id;
    entries_[min_i].count += count;
    overflowed_ = true;
  }

  size_t size() const { return size_; }
  const Entry& operator[](size_t i) const { return entries_[i]; }
  // True once a parent was evicted: counts are then upper bounds.
  bool approximate() const { return overflowed_; }

 private:
  std::array<Entry, kSlots> entries_{};
  uint8_t size_ = 0;
  bool overflowed_ = false;
};

}  // namespace gorleak
