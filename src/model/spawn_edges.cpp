#include "model/spawn_edges.h"

#include <algorithm>

namespace gorleak {

std::span<const SpawnEdge> spawn_edges_of(const Snapshot& snapshot, uint32_t group) {
  auto lo = std::lower_bound(snapshot.spawns.begin(), snapshot.spawns.end(), group,
                             [](const SpawnEdge& e, uint32_t g) { return e.group < g; });
  auto hi = std::upper_bound(lo, snapshot.spawns.end(), group,
                             [](uint32_t g, const SpawnEdge& e) { return g < e.group; });
  return {snapshot.spawns.data() + (lo - snapshot.spawns.begin()), static_cast<size_t>(hi - lo)};
}

SpawnEdgeIndex::SpawnEdgeIndex(const Snapshot& snapshot)
    : snapshot_(snapshot), start_(snapshot.groups.size() + 1, 0) {
  // Counts per group, then each group's start is the sum of those before.
  for (const SpawnEdge& e : snapshot.spawns) ++start_[e.group + 1];
  for (size_t g = 1; g < start_.size(); ++g) start_[g] += start_[g - 1];
}

}  // namespace gorleak
