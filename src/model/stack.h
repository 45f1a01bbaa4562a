// Distinct stacks, interned: a Group refers to its stack by StackId, and two
// snapshots read in one run share one StackTable, so comparing stacks across
// dumps is comparing integers.
#pragma once

#include <cstdint>
#include <vector>

#include "model/frame.h"
#include "model/hash_primitives.h"

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
  // The same, with `hash` == stack_hash() of these arguments computed by the caller.
  StackId intern_hashed(uint64_t hash, const Frame* frames, size_t n,
                        const CreatedBy& created_by, int32_t elided_count, uint32_t elided_at);
  // Starts loading the slot where a stack with this hash would be: a
  // producer that knows the hash before it interns hides the cache miss.
  void prefetch(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  // The next two steps after prefetch(), each once the step before has
  // had time to arrive: load the Stack a slot points to, then its frames.
  void prefetch_stack(uint64_t hash) const;
  void prefetch_frames(uint64_t hash) const;
  const Stack& get(StackId id) const { return stacks_[id]; }
  size_t size() const { return stacks_.size(); }
  size_t memory_bytes() const;

 private:
  void grow();
  // The id in the first slot whose tag matches `hash`, or -1.
  int64_t probe_tag(uint64_t hash) const;
  std::vector<Stack> stacks_;
  std::vector<uint64_t> slots_;  // hash tag << 32 | id+1, 0 = empty
};

// Hash of a frame sequence + created-by, the same one StackTable uses.
uint64_t stack_hash(const Frame* frames, size_t n, const CreatedBy& created_by,
                    int32_t elided_count, uint32_t elided_at);

// stack_hash() in steps, for a producer that hashes frames as it reads them:
// stack_hash_finish(add(add(start(), f0), f1)…, n, …) == stack_hash(…).
inline uint64_t stack_hash_start() { return 0x51ed270b7f1f5d29ULL; }

inline uint64_t stack_hash_add(uint64_t h, const Frame& f) {
  // One 64x64->128 multiply per frame (wyhash-style): every goroutine is
  // hashed, so this sits on the hot path.
  return mum(
      h ^ (uint64_t{f.func} << 32 | f.file) ^ 0xa0761d6478bd642fULL,
      (uint64_t{f.line} << 8 | f.flags) ^ 0xe7037ed1a0b428dbULL);
}

inline uint64_t stack_hash_finish(uint64_t h, size_t n, const CreatedBy& cb,
                                  int32_t elided_count, uint32_t elided_at) {
  h = mum(h ^ (uint64_t{cb.func} << 32 | cb.file) ^ 0x8ebc6af09c88c6e3ULL,
          (uint64_t{cb.line} << 32 | static_cast<uint32_t>(elided_count)) ^
              0x589965cc75374cc3ULL);
  return mum(h ^ n ^ 0x1d8e4e27c47d124fULL,
             (uint64_t{elided_at} << 1 | 1) ^ 0xa0761d6478bd642fULL);
}

}  // namespace gorleak
