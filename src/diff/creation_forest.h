// Who spawned what: the goroutine creation forest of one snapshot, built
// with Boost.Graph from the group stage's spawn edges (`created by F in
// goroutine N`, Go ≥ 1.21). A blocked group is attributed to the parent
// goroutine and spawn site that created most of it ("goroutine 7,
// main.(*Server).serve, created 10,000 of the 10,003 goroutines blocked in
// chan send"). Older dumps have no parent ids: the attribution is then by
// `created by` site alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "model/catalog.h"
#include "model/snapshot.h"

namespace gorleak {

struct ForestNode {
  enum Kind : uint8_t {
    kGroup,      // a group of the snapshot (goroutines with one stack + state)
    kGoroutine,  // a parent goroutine named by `in goroutine N`
    kSite,       // a `created by` site whose parents are unknown (pre-1.21)
  };
  Kind kind = kGroup;
  uint32_t group = 0;    // kGroup: the group; kGoroutine: its group when alive
  bool alive = false;    // kGoroutine: the parent is in the dump
  uint64_t goroutine_id = 0;
  uint64_t count = 0;    // kGroup: goroutines; kGoroutine/kSite: children created
  StrId func = 0;        // kSite: created-by function
  StrId file = 0;
  uint32_t line = 0;
};

struct ForestEdge {
  // member: group → goroutine (the parent belongs to that group);
  // otherwise goroutine/site → group, `count` children created there.
  bool member = false;
  uint64_t count = 0;
  StrId func = 0;  // spawn site (created-by) of a creation edge
  StrId file = 0;
  uint32_t line = 0;
};

// Edges in one vector (EdgeList vecS) rather than a list node each: the
// forest only grows, and a dump of 200,000 goroutines has as many edges.
using CreationGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                            ForestNode, ForestEdge, boost::no_property,
                                            boost::vecS>;

// One line of "who created this group".
struct SpawnAttribution {
  uint32_t group = 0;        // the attributed group
  uint64_t group_count = 0;  // its goroutines
  bool has_parent = false;   // false: aggregated by created-by site only
  uint64_t parent_id = 0;
  bool parent_alive = false;
  uint32_t parent_group = 0;  // valid when parent_alive
  StrId func = 0;             // spawn site
  StrId file = 0;
  uint32_t line = 0;
  uint64_t created = 0;  // goroutines of the group created by this parent at this site
  uint64_t created_total = 0;  // by this parent (or site) across all groups
};

class CreationForest {
 public:
  CreationForest(const Snapshot& snapshot, const Catalog& catalog);

  const CreationGraph& graph() const { return graph_; }
  const Snapshot& snapshot() const { return *snapshot_; }
  const Catalog& catalog() const { return *catalog_; }
  // Vertex of a group (every group has one).
  CreationGraph::vertex_descriptor group_vertex(uint32_t group) const { return group_vertex_[group]; }
  bool has_parent_ids() const { return has_parent_ids_; }

  // Who created `group`, largest share first (empty when no created-by).
  std::vector<SpawnAttribution> attribute(uint32_t group) const;
  // The best attribution of each blocked group (waiting states, not
  // running/runtime), largest group first, at most `max_groups`.
  std::vector<SpawnAttribution> blocked(size_t max_groups, uint64_t min_count = 1) const;

 private:
  const Snapshot* snapshot_;
  const Catalog* catalog_;
  CreationGraph graph_;
  std::vector<CreationGraph::vertex_descriptor> group_vertex_;
  bool has_parent_ids_ = false;
};

// True for the waiting categories a leak can sit in.
bool is_blocked_category(StateCategory c);

// "goroutine 7, main.(*Server).serve, created 10,000 of the 10,003
// goroutines blocked in chan send" / "main.serve (server.go:88) created …".
std::string describe_attribution(const SpawnAttribution& a, const Snapshot& s,
                                 const Catalog& c);

// 10000 → "10,000".
std::string with_thousands(uint64_t n);

}  // namespace gorleak
