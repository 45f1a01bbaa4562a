// The spawn edges of one group. Snapshot::spawns is sorted by group, so a
// group's edges are one run of it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/snapshot.h"

namespace gorleak {

// One group's edges, found by binary search: for the few groups a report
// shows in full.
std::span<const SpawnEdge> spawn_edges_of(const Snapshot& snapshot, uint32_t group);

// Every group's edges, indexed in one pass over the snapshot: for stages
// that visit most groups. A binary search per group was a cache miss per
// step over 12 MB of edges on a dump of 300k groups.
class SpawnEdgeIndex {
 public:
  explicit SpawnEdgeIndex(const Snapshot& snapshot);

  std::span<const SpawnEdge> of(uint32_t group) const {
    return {snapshot_.spawns.data() + start_[group], start_[group + 1] - start_[group]};
  }

 private:
  const Snapshot& snapshot_;
  std::vector<uint32_t> start_;  // by group, plus one: index of its first edge
};

}  // namespace gorleak
