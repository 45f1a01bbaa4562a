// Who created a group's goroutines: the parent goroutine ids behind one
// `created by` site, kept as a fixed-size heavy-hitter table so a group of a
// million children with a million distinct parents still costs a few bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace gorleak {

// Space-saving (Metwally et al.) over parent ids, k = kSlots.
// While a group has at most kSlots distinct parents every count is exact.
// Beyond that, a new parent takes over the slot of the smallest count and
// inherits it (+1), so a count may overstate its parent by at most the
// smallest count in the table; the counts always sum to the goroutines seen,
// and any parent with more than total/kSlots children is guaranteed a slot.
//
// Most groups have one parent (an accept loop, a worker pool's owner, or a
// goroutine per group in a dump of distinct stacks), so the first entry is
// kept inline and the other kSlots - 1 are allocated with the second
// parent: a group then costs 32 bytes here, not 130.
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
      Entry& e = at(i);
      if (e.parent_id == parent_id) {
        e.count += count;
        return;
      }
      if (e.count < at(min_i).count) min_i = i;
    }
    if (size_ < kSlots) {
      if (size_ == 1 && !more_) more_ = std::make_unique<Entry[]>(kSlots - 1);
      at(size_++) = Entry{parent_id, count};
      return;
    }
    Entry& evicted = at(min_i);
    evicted.parent_id = parent_id;
    evicted.count += count;
    overflowed_ = true;
  }

  size_t size() const { return size_; }
  const Entry& operator[](size_t i) const { return i == 0 ? first_ : more_[i - 1]; }
  // True once a parent was evicted: counts are then upper bounds.
  bool approximate() const { return overflowed_; }

 private:
  Entry& at(size_t i) { return i == 0 ? first_ : more_[i - 1]; }

  Entry first_;
  std::unique_ptr<Entry[]> more_;  // entries 1 .. kSlots-1, from the second parent on
  uint8_t size_ = 0;
  bool overflowed_ = false;
};

}  // namespace gorleak
