#include "group/record_batch.h"

#include <utility>

namespace gorleak {

bool RecordBatch::add(const Goroutine& g) {
  Pending& p = pending_[size_++];
  fill_record(g, &p.record);
  p.state.assign(g.state);
  p.frames.assign(g.frames.begin(), g.frames.end());
  p.stack_created_by = g.created_by;
  p.elided_count = g.elided_count;
  p.elided_at = g.elided_at;
  if (group_by_ == GroupBy::kStack && g.frames_hashed == g.frames.size()) {
    // The parser hashed every frame as it read them.
    p.hash = stack_hash_finish(g.frames_hash, g.frames.size(), g.created_by, g.elided_count,
                               g.elided_at);
  } else {
    if (group_by_ == GroupBy::kFunction || group_by_ == GroupBy::kSimilar) {
      // The same stack with every line number zeroed.
      for (Frame& f : p.frames) f.line = 0;
      p.stack_created_by.line = 0;
    }
    if (group_by_ == GroupBy::kSimilar)
      for (Frame& f : p.frames) f.flags = static_cast<uint8_t>(f.flags & ~Frame::kInlined);
    p.hash = stack_hash(p.frames.data(), p.frames.size(), p.stack_created_by, p.elided_count,
                        p.elided_at);
  }
  return size_ == kCapacity;
}

void RecordBatch::prefetch(size_t n) const {
  // Each pass needs what the one before it loaded.
  for (size_t i = 0; i < n; ++i) catalog_.stacks.prefetch(pending_[i].hash);
  for (size_t i = 0; i < n; ++i) catalog_.stacks.prefetch_stack(pending_[i].hash);
  for (size_t i = 0; i < n; ++i) catalog_.stacks.prefetch_frames(pending_[i].hash);
}

std::span<const GoroutineRecord> RecordBatch::take() {
  size_t n = size_;
  size_ = 0;
  prefetch(n);
  for (size_t i = 0; i < n; ++i) intern(pending_[i], &records_[i]);
  return {records_.data(), n};
}

void RecordBatch::intern(Pending& p, GoroutineRecord* out) {
  p.record.stack = catalog_.stacks.intern_hashed(p.hash, p.frames.data(), p.frames.size(),
                                                 p.stack_created_by, p.elided_count,
                                                 p.elided_at);
  p.record.state = catalog_.strings.intern(p.state);
  std::swap(*out, p.record);
}

}  // namespace gorleak
