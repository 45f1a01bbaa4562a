#include "model/stack.h"

namespace gorleak {

uint64_t stack_hash(const Frame* frames, size_t n, const CreatedBy& cb,
                    int32_t elided_count, uint32_t elided_at) {
  uint64_t h = stack_hash_start();
  for (size_t i = 0; i < n; ++i) h = stack_hash_add(h, frames[i]);
  return stack_hash_finish(h, n, cb, elided_count, elided_at);
}

namespace {
// Branch-free: stacks that share a hash are nearly always equal, so the
// loop runs to the end anyway.
bool same_frames(const Frame* a, const Frame* b, size_t n) {
  uint32_t diff = 0;
  for (size_t i = 0; i < n; ++i) {
    diff |= (a[i].func ^ b[i].func) | (a[i].file ^ b[i].file) | (a[i].line ^ b[i].line) |
            static_cast<uint32_t>(a[i].flags ^ b[i].flags);
  }
  return diff == 0;
}

bool same_stack(const Stack& s, const Frame* frames, size_t n, const CreatedBy& cb,
                int32_t elided_count, uint32_t elided_at) {
  if (s.frames.size() != n || s.elided_count != elided_count || s.elided_at != elided_at)
    return false;
  if (s.created_by.func != cb.func || s.created_by.file != cb.file ||
      s.created_by.line != cb.line)
    return false;
  return same_frames(s.frames.data(), frames, n);
}

}  // namespace

StackId StackTable::intern(const Frame* frames, size_t n, const CreatedBy& created_by,
                           int32_t elided_count, uint32_t elided_at) {
  return intern_hashed(stack_hash(frames, n, created_by, elided_count, elided_at), frames, n,
                       created_by, elided_count, elided_at);
}

StackId StackTable::intern_hashed(uint64_t h, const Frame* frames, size_t n,
                                  const CreatedBy& created_by, int32_t elided_count,
                                  uint32_t elided_at) {
  if (slots_.empty()) slots_.assign(1024, 0);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    uint64_t slot = slots_[i];
    if (slot == 0) break;
    if (!slot_tag_matches(slot, h)) continue;
    StackId id = slot_id(slot);
    const Stack& s = stacks_[id];
    if (s.hash == h && same_stack(s, frames, n, created_by, elided_count, elided_at))
      return id;
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
  slots_[i] = make_tagged_slot(h, id);
  if (stacks_.size() * 2 > slots_.size()) grow();
  return id;
}

int64_t StackTable::probe_tag(uint64_t h) const {
  if (slots_.empty()) return -1;
  size_t mask = slots_.size() - 1;
  // A hint, not a lookup: a few probes cover nearly every chain.
  for (size_t i = h & mask, probes = 0; probes < 4; i = (i + 1) & mask, ++probes) {
    uint64_t slot = slots_[i];
    if (slot == 0) return -1;
    if (slot_tag_matches(slot, h)) return slot_id(slot);
  }
  return -1;
}

void StackTable::prefetch_stack(uint64_t h) const {
  int64_t id = probe_tag(h);
  if (id >= 0) __builtin_prefetch(&stacks_[static_cast<size_t>(id)]);
}

void StackTable::prefetch_frames(uint64_t h) const {
  int64_t id = probe_tag(h);
  if (id < 0) return;
  const std::vector<Frame>& frames = stacks_[static_cast<size_t>(id)].frames;
  const char* p = reinterpret_cast<const char*>(frames.data());
  size_t bytes = frames.size() * sizeof(Frame);
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
}

void StackTable::grow() {
  std::vector<uint64_t> next(slots_.size() * 2, 0);
  size_t mask = next.size() - 1;
  for (uint32_t id = 0; id < stacks_.size(); ++id) {
    size_t i = stacks_[id].hash & mask;
    while (next[i] != 0) i = (i + 1) & mask;
    next[i] = make_tagged_slot(stacks_[id].hash, id);
  }
  slots_.swap(next);
}

size_t StackTable::memory_bytes() const {
  size_t total = stacks_.capacity() * sizeof(Stack) + slots_.capacity() * sizeof(uint64_t);
  for (const Stack& s : stacks_) total += s.frames.capacity() * sizeof(Frame);
  return total;
}

}  // namespace gorleak
