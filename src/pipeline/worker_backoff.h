// Backs off from handing blocks to workers while their parses are refused
// (pipeline/split_load.cpp).
#pragma once

#include <algorithm>
#include <cstdint>

namespace gorleak {

// Whether the next block of a split load should go to a worker. A worker's
// parse is used only when the main thread can absorb it; where it cannot
// (blocks the block reader cannot tell apart, such as those of a goleak
// report), the main thread waits for the worker only to read the block
// again, and -j 2 comes out slower than -j 1. After kRefusals refused
// blocks in a row (an ordinary dump has refusals too, where a block starts
// at an odd place, but not eight in a row), the next blocks are read by the
// main thread alone: 8 at first, four times as many after each new run of
// refusals, at most 256, so that a dump further on in the same input still
// gets its workers back. One absorbed block starts over.
class WorkerBackoff {
 public:
  // What take_next() will answer, without counting the block.
  bool would_take() const { return skip_ == 0; }
  bool take_next() {
    if (skip_ == 0) return true;
    --skip_;
    return false;
  }
  void absorbed() {
    refused_ = 0;
    next_skip_ = kFirstSkip;
  }
  void refused() {
    if (++refused_ < kRefusals) return;
    refused_ = 0;
    skip_ = next_skip_;
    next_skip_ = std::min<uint32_t>(next_skip_ * 4, kMaxSkip);
  }

 private:
  static constexpr uint32_t kRefusals = 8;
  static constexpr uint32_t kFirstSkip = 8;
  static constexpr uint32_t kMaxSkip = 256;
  uint32_t refused_ = 0;
  uint32_t skip_ = 0;
  uint32_t next_skip_ = kFirstSkip;
};

}  // namespace gorleak
