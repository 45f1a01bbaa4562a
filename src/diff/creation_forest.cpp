#include "diff/creation_forest.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

namespace gorleak {

bool is_blocked_category(StateCategory c) {
  switch (c) {
    case StateCategory::kChanReceive:
    case StateCategory::kChanSend:
    case StateCategory::kSelect:
    case StateCategory::kSemacquire:
    case StateCategory::kIOWait:
    case StateCategory::kSyscall:
    case StateCategory::kSleep:
    case StateCategory::kOther:
      return true;
    default:
      return false;
  }
}

CreationForest::CreationForest(const Snapshot& snapshot, const Catalog& catalog)
    : snapshot_(&snapshot), catalog_(&catalog), graph_(snapshot.groups.size()) {
  const auto& groups = snapshot.groups;
  // Groups are the first vertices, in their order.
  group_vertex_.reserve(groups.size());
  for (uint32_t gi = 0; gi < groups.size(); ++gi) {
    ForestNode& n = graph_[gi];
    n.kind = ForestNode::kGroup;
    n.group = gi;
    n.count = groups[gi].count;
    group_vertex_.push_back(gi);
  }

  std::unordered_map<uint64_t, CreationGraph::vertex_descriptor> goroutines;
  goroutines.reserve(snapshot.spawners.size() + snapshot.spawns.size() / 4);
  std::map<std::tuple<StrId, StrId, uint32_t>, CreationGraph::vertex_descriptor> sites;
  auto goroutine_vertex = [&](uint64_t id) {
    auto [it, fresh] = goroutines.emplace(id, 0);
    if (fresh) {
      ForestNode n;
      n.kind = ForestNode::kGoroutine;
      n.goroutine_id = id;
      it->second = boost::add_vertex(n, graph_);
    }
    return it->second;
  };

  for (const SpawnEdge& e : snapshot.spawns) {
    if (e.group >= groups.size()) continue;
    CreationGraph::vertex_descriptor from;
    if (e.has_parent) {
      has_parent_ids_ = true;
      from = goroutine_vertex(e.parent_id);
    } else {
      auto key = std::make_tuple(e.func, e.file, e.line);
      auto it = sites.find(key);
      if (it == sites.end()) {
        ForestNode n;
        n.kind = ForestNode::kSite;
        n.func = e.func;
        n.file = e.file;
        n.line = e.line;
        it = sites.emplace(key, boost::add_vertex(n, graph_)).first;
      }
      from = it->second;
    }
    graph_[from].count += e.count;
    ForestEdge fe;
    fe.count = e.count;
    fe.func = e.func;
    fe.file = e.file;
    fe.line = e.line;
    boost::add_edge(from, group_vertex_[e.group], fe, graph_);
  }

  // A parent that is still alive belongs to a group: hang it below that
  // group, which links the generations into trees.
  for (const SpawnerInfo& s : snapshot.spawners) {
    if (s.group >= groups.size()) continue;
    auto v = goroutine_vertex(s.id);
    graph_[v].alive = true;
    graph_[v].group = s.group;
    ForestEdge fe;
    fe.member = true;
    fe.count = 1;
    boost::add_edge(group_vertex_[s.group], v, fe, graph_);
  }
}

std::vector<SpawnAttribution> CreationForest::attribute(uint32_t group) const {
  std::vector<SpawnAttribution> out;
  if (group >= group_vertex_.size()) return out;
  const Group& g = snapshot_->groups[group];
  for (auto [it, end] = boost::in_edges(group_vertex_[group], graph_); it != end; ++it) {
    const ForestEdge& e = graph_[*it];
    if (e.member) continue;
    const ForestNode& from = graph_[boost::source(*it, graph_)];
    SpawnAttribution a;
    a.group = group;
    a.group_count = g.count;
    a.has_parent = from.kind == ForestNode::kGoroutine;
    a.parent_id = from.goroutine_id;
    a.parent_alive = from.alive;
    a.parent_group = from.group;
    a.func = e.func;
    a.file = e.file;
    a.line = e.line;
    a.created = e.count;
    a.created_total = from.count;
    out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const SpawnAttribution& x, const SpawnAttribution& y) {
    if (x.created != y.created) return x.created > y.created;
    if (x.has_parent != y.has_parent) return x.has_parent;
    return x.parent_id < y.parent_id;
  });
  return out;
}

std::vector<SpawnAttribution> CreationForest::blocked(size_t max_groups, uint64_t min_count) const {
  std::vector<SpawnAttribution> out;
  // Snapshot groups are sorted largest first by the group stage.
  for (uint32_t gi = 0; gi < snapshot_->groups.size() && out.size() < max_groups; ++gi) {
    const Group& g = snapshot_->groups[gi];
    if (g.count < min_count || !is_blocked_category(g.category)) continue;
    auto a = attribute(gi);
    if (!a.empty()) out.push_back(a.front());
  }
  return out;
}

std::string with_thousands(uint64_t n) {
  std::string digits = fmt::format("{}", n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string describe_attribution(const SpawnAttribution& a, const Snapshot& s, const Catalog& c) {
  const Group& g = s.groups[a.group];
  std::string_view state = c.str(g.state);
  std::string of = fmt::format("{} of the {} goroutines {} {}", with_thousands(a.created),
                               with_thousands(a.group_count),
                               is_blocked_category(g.category) ? "blocked in" : "in",
                               state.empty() ? "an unknown state" : state);
  if (a.has_parent) {
    return fmt::format("goroutine {}{}, {}, created {}", a.parent_id,
                       a.parent_alive ? "" : " (exited)", c.str(a.func), of);
  }
  std::string_view file = c.str(a.file);
  size_t slash = file.rfind('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  return fmt::format("{} ({}:{}) created {}", c.str(a.func), file, a.line, of);
}

}  // namespace gorleak
