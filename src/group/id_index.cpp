#include "group/id_index.h"

#include <algorithm>

#include "model/strings.h"

namespace gorleak {

void IdIndex::clear() {
  // Start small again: a big snapshot followed by many small ones should not
  // pay for clearing the big table each time, nor keep its memory. A slot is
  // empty when its group is 0, whatever its id says, so a small table only
  // needs its groups zeroed, and not even that when nothing was inserted: a
  // crash loop clears it once per record.
  if (groups_.size() != 64) {
    ids_ = std::vector<uint64_t>(64, 0);
    groups_ = std::vector<uint32_t>(64, 0);
  } else if (size_ > 0) {
    std::fill(groups_.begin(), groups_.end(), 0);
  }
  size_ = 0;
}

size_t IdIndex::slot_of(uint64_t id) const {
  return hash_mix(0x5bd1e995u, id) & (ids_.size() - 1);
}

void IdIndex::grow() {
  std::vector<uint64_t> old_ids = std::move(ids_);
  std::vector<uint32_t> old_groups = std::move(groups_);
  size_t cap = old_ids.empty() ? 64 : old_ids.size() * 2;
  ids_.assign(cap, 0);
  groups_.assign(cap, 0);
  for (size_t i = 0; i < old_ids.size(); ++i) {
    if (old_groups[i] == 0) continue;
    size_t s = slot_of(old_ids[i]);
    while (groups_[s] != 0) s = (s + 1) & (cap - 1);
    ids_[s] = old_ids[i];
    groups_[s] = old_groups[i];
  }
}

void IdIndex::insert(uint64_t id, uint32_t group) {
  if (full()) return;
  if (ids_.empty() || (size_ + 1) * 2 > ids_.size()) grow();
  size_t mask = ids_.size() - 1;
  for (size_t s = slot_of(id);; s = (s + 1) & mask) {
    if (groups_[s] == 0) {
      ids_[s] = id;
      groups_[s] = group + 1;
      ++size_;
      return;
    }
    if (ids_[s] == id) return;
  }
}

bool IdIndex::find(uint64_t id, uint32_t* group) const {
  if (ids_.empty()) return false;
  size_t mask = ids_.size() - 1;
  for (size_t s = slot_of(id);; s = (s + 1) & mask) {
    if (groups_[s] == 0) return false;
    if (ids_[s] == id) {
      *group = groups_[s] - 1;
      return true;
    }
  }
}

}  // namespace gorleak
