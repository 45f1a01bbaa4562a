#include "diff/join_profiles.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "diff/signature.h"

namespace gorleak {

namespace {

// Dump groups by cross-form signature, and by the looser key that also
// drops the outermost frame (Go ≤ 1.21 `go f(x)` wrappers, see signature.h).
class SignatureIndex {
 public:
  SignatureIndex(const Snapshot& s, const Catalog& c) {
    for (uint32_t gi = 0; gi < s.groups.size(); ++gi)
      by_sig_[group_signature(c, s.groups[gi], SignatureMode::kCrossForm)].push_back(gi);
  }
  // The groups a count-profile record belongs to (empty when none).
  const std::vector<uint32_t>& find(const Catalog& c, const Group& record) const {
    static const std::vector<uint32_t> kNone;
    auto it = by_sig_.find(group_signature(c, record, SignatureMode::kCrossForm));
    if (it != by_sig_.end()) return it->second;
    it = by_sig_.find(cross_form_fallback(c, record));
    return it == by_sig_.end() ? kNone : it->second;
  }

 private:
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_sig_;
};

}  // namespace

Snapshot complete_counts(const Snapshot& cut, const Snapshot& counts, const Catalog& catalog,
                         JoinStats* stats) {
  JoinStats st;
  SignatureIndex index(cut, catalog);
  // Records sharing a signature are summed first (debug=1 splits one stack
  // by labels), keyed by the first dump group they join.
  std::unordered_map<uint32_t, uint64_t> wanted;
  std::vector<const std::vector<uint32_t>*> sets;
  std::vector<const Group*> unmatched;
  for (const Group& rec : counts.groups) {
    const std::vector<uint32_t>& into = index.find(catalog, rec);
    if (into.empty()) {
      unmatched.push_back(&rec);
      continue;
    }
    ++st.joined;
    auto [it, fresh] = wanted.emplace(into.front(), 0);
    if (fresh) sets.push_back(&into);
    it->second += rec.count;
  }
  // debug=1 is the complete count: dump groups it does not show (the
  // goroutine cut in half at 64 MiB, the dump's own capture goroutine) go.
  std::vector<Group> groups = cut.groups;
  std::vector<bool> keep(groups.size(), false);
  for (const std::vector<uint32_t>* into : sets) {
    uint64_t have = 0;
    uint32_t largest = into->front();
    for (uint32_t gi : *into) {
      keep[gi] = true;
      have += groups[gi].count;
      if (groups[gi].count > groups[largest].count) largest = gi;
    }
    uint64_t want = wanted[into->front()];
    if (want > have) {
      groups[largest].count += want - have;
      st.goroutines += want - have;
    }
  }
  Snapshot out = cut;
  out.groups.clear();
  std::vector<uint32_t> new_index(groups.size(), UINT32_MAX);
  for (uint32_t gi = 0; gi < groups.size(); ++gi) {
    if (!keep[gi]) continue;
    new_index[gi] = static_cast<uint32_t>(out.groups.size());
    out.groups.push_back(std::move(groups[gi]));
  }
  for (const Group* rec : unmatched) {
    out.groups.push_back(*rec);
    ++st.added;
    st.goroutines += rec->count;
  }
  // Spawn edges and spawners follow their groups, or go with them.
  auto remap = [&](auto& items) {
    size_t w = 0;
    for (auto& item : items) {
      if (new_index[item.group] == UINT32_MAX) continue;
      item.group = new_index[item.group];
      items[w++] = item;
    }
    items.resize(w);
  };
  remap(out.spawns);
  remap(out.spawners);
  out.states = StateCounts{};
  out.total = 0;
  out.leaked = 0;
  for (const Group& g : out.groups) {
    out.total += g.count;
    out.leaked += g.leaked;
    out.states[static_cast<size_t>(g.category)] += g.count;
  }
  out.declared_total = counts.declared_total;
  out.truncated = false;
  if (stats) *stats = st;
  return out;
}

void mark_proven(Snapshot& dump, const Snapshot& leak, const Catalog& catalog, JoinStats* stats) {
  JoinStats st;
  SignatureIndex index(dump, catalog);
  for (const Group& rec : leak.groups) {
    const std::vector<uint32_t>& into = index.find(catalog, rec);
    if (into.empty()) continue;
    ++st.joined;
    uint64_t left = rec.count;
    for (uint32_t gi : into) {
      Group& g = dump.groups[gi];
      uint64_t add = std::min(left, g.count - g.leaked);
      g.leaked += add;
      dump.leaked += add;
      st.goroutines += add;
      left -= add;
    }
  }
  if (stats) *stats = st;
}

}  // namespace gorleak
