// Turns goroutines into GoroutineRecords a batch at a time.
//
// Interning a stack touches memory nobody has used for a while: the table
// slot, the Stack, its frames. The dump streaming through the cache evicts
// them between two goroutines of the same stack, so one goroutine at a time
// means three cache misses in a row, each waiting for the last. A batch
// first starts loading every slot, then every Stack, then every frame
// array, and only then interns, in input order: the misses overlap, and
// every id comes out as it would one goroutine at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "group/goroutine_record.h"

namespace gorleak {

class RecordBatch {
 public:
  static constexpr size_t kCapacity = 16;

  RecordBatch(Catalog& catalog, GroupBy group_by) : catalog_(catalog), group_by_(group_by) {}

  // Copies what a record needs from `g`. Returns true when the batch is full
  // and should be flushed.
  bool add(const Goroutine& g);
  bool empty() const { return size_ == 0; }

  // Interns every waiting goroutine, in the order they were added, and
  // returns their records (valid until the next add()). The batch is
  // emptied first, so a nested take() returns nothing.
  std::span<const GoroutineRecord> take();

 private:
  struct Pending {
    GoroutineRecord record;  // every field but stack and state
    std::string state;
    std::vector<Frame> frames;  // as grouped: lines zeroed for GroupBy::kFunction/kSimilar
    CreatedBy stack_created_by;
    int32_t elided_count = 0;
    uint32_t elided_at = 0;
    uint64_t hash = 0;  // stack_hash() of the above
  };

  void prefetch(size_t n) const;
  void intern(Pending& p, GoroutineRecord* out);

  Catalog& catalog_;
  GroupBy group_by_;
  std::array<Pending, kCapacity> pending_;
  std::array<GoroutineRecord, kCapacity> records_;
  size_t size_ = 0;
};

}  // namespace gorleak
