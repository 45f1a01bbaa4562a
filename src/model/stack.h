// Distinct stacks, interned: a Group refers to its stack by StackId, and two
// snapshots read in one run share one StackTable, so comparing stacks across
// dumps is comparing integers.
#pragma once

#include <cstdint>
#include <vector>

#include "model/frame.h"

namespace gorleak {

using StackId = uint32_t;

struct Stack {
  std::vector<Frame> frames;  // innermost first
  CreatedBy created_by;       // parent_id is never part of a stack
  int32_t elided_count = 0;
  uint32_t elided_at = 0;
  uint64_t hash = 0;
};

class StackTable {
 public:
  // Interns the stack made of `frames` + `created_by` (its parent id ignored).
  StackId intern(const Frame* frames, size_t n, const CreatedBy& created_by,
                 int32_t elided_count, uint32_t elided_at);
  const Stack& get(StackId id) const { return stacks_[id]; }
  size_t size() const { return stacks_.size(); }
  size_t memory_bytes() const;

 private:
  void grow();
  std::vector<Stack> stacks_;
  std::vector<uint64_t> slots_;  // hash tag << 32 | id+1, 0 = empty
};

// Hash of a frame sequence + created-by, the same one StackTable uses.
uint64_t stack_hash(const Frame* frames, size_t n, const CreatedBy& created_by,
                    int32_t elided_count, uint32_t elided_at);

}  // namespace gorleak
