#include "model/stack.h"

namespace gorleak {

uint64_t stack_hash(const Frame* frames, size_t n, const CreatedBy& cb,
                    int32_t elided_count, uint32_t elided_at) {
  uint64_t h = 0x51ed270b7f1f5d29ULL ^ n;
  for (size_t i = 0; i < n; ++i) {
    h = hash_mix(h, (uint64_t{frames[i].func} << 32) | frames[i].file);
    h = hash_mix(h, (uint64_t{frames[i].line} << 8) | frames[i].flags);
  }
  h = hash_mix(h, (uint64_t{cb.func} << 32) | cb.file);
  h = hash_mix(h, (uint64_t{cb.line} << 32) | static_cast<uint32_t>(elided_count));
  return hash_mix(h, elided_at);
}

namespace {
bool same_stack(const Stack& s, const Frame* frames, size_t n, const CreatedBy& cb,
                int32_t elided_count, uint32_t elided_at) {
  if (s.frames.size() != n || s.elided_count != elided_count || s.elided_at != elided_at)
    return false;
  if (s.created_by.func != cb.func || s.created_by.file != cb.file ||
      s.created_by.line != cb.line)
    return false;
  for (size_t i = 0; i < n; ++i)
    if (!(s.frames[i] == frames[i])) return false;
  return true;
}
}  // namespace

StackId StackTable::intern(const Frame* frames, size_t n, const CreatedBy& created_by,
                           int32_t elided_count, uint32_t elided_at) {
  if (slots_.empty()) slots_.assign(1024, 0);
  uint64_t h = stack_hash(frames, n, created_by, elided_count, elided_at);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0) break;
    const Stack& s = stacks_[slot - 1];
    if (s.hash == h && same_stack(s, frames, n, created_by, elided_count, elided_at))
      return slot - 1;
  }
  Stack s;
  s.frames.assign(frames, frames + n);
  s.created_by = created_by;
  s.created_by.has_parent = false;  // parent ids are per goroutine, not per stack
  s.created_by.parent_id = 0;
  s.elided_count = elided_count;
  s.elided_at = elided_at;
  s.hash = h;
  StackId id = static_cast<StackId>(stacks_.size());
  stacks_.push_back(std::move(s));
  slots_[i] = id + 1;
  if (stacks_.size() * 2 > slots_.size()) grow();
  return id;
}

void StackTable::grow() {
  std::vector<uint32_t> next(slots_.size() * 2, 0);
  size_t mask = next.size() - 1;
  for (uint32_t id = 0; id < stacks_.size(); ++id) {
    size_t i = stacks_[id].hash & mask;
    while (next[i] != 0) i = (i + 1) & mask;
    next[i] = id + 1;
  }
  slots_.swap(next);
}

size_t StackTable::memory_bytes() const {
  size_t total = stacks_.capacity() * sizeof(Stack) + slots_.capacity() * 4;
  for (const Stack& s : stacks_) total += s.frames.capacity() * sizeof(Frame);
  return total;
}

}  // namespace gorleak
