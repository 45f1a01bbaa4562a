#include "report/dot_writer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <unordered_map>

// GCC reports Boost's edge iterator (a boost::optional inside) as maybe
// uninitialized when it is instantiated here; it is a known false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/graphviz.hpp>
#include <fmt/format.h>

#include "model/user_code.h"
#include "report/diff_report.h"
#include "report/text_style.h"

namespace gorleak {

namespace {

// A drawable graph: attributes are ready-made strings, so the writers below
// only print them.
struct DotNode {
  std::string label;
  std::string shape;
  uint64_t count = 0;
  bool highlight = false;
};
struct DotEdge {
  std::string label;
  uint64_t count = 0;
  bool dashed = false;
};
using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, DotNode, DotEdge>;

std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

std::string short_file(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// log-scaled so 1 and 100,000 goroutines both fit on a page.
double scale(uint64_t count) { return std::log10(static_cast<double>(std::max<uint64_t>(count, 1))); }

void write_dot(const DotGraph& g, std::string_view name, std::string* out) {
  std::ostringstream os;  // Boost's writer only takes a stream
  auto vertex_writer = [&g](std::ostream& o, DotGraph::vertex_descriptor v) {
    const DotNode& n = g[v];
    double s = scale(n.count);
    o << fmt::format("[label={}, shape={}, fontsize={:.0f}, width={:.2f}, penwidth={:.1f}{}]",
                     dot_quote(n.label), n.shape, 10 + 3 * s, 1.0 + 0.6 * s, 1.0 + s,
                     n.highlight ? ", style=filled, fillcolor=\"#fde0dc\"" : "");
  };
  auto edge_writer = [&g](std::ostream& o, DotGraph::edge_descriptor e) {
    const DotEdge& d = g[e];
    o << fmt::format("[label={}, penwidth={:.1f}{}]", dot_quote(d.label), 1.0 + scale(d.count),
                     d.dashed ? ", style=dashed" : "");
  };
  auto graph_writer = [name](std::ostream& o) {
    o << fmt::format("label={};\nrankdir=LR;\nnode [fontname=\"Helvetica\"];\n"
                     "edge [fontname=\"Helvetica\", fontsize=9];\n",
                     dot_quote(name));
  };
  boost::write_graphviz(os, g, vertex_writer, edge_writer, graph_writer);
  out->append(os.str());
}

std::string group_label(const Snapshot& s, const Catalog& c, uint32_t gi, const DotOptions& o) {
  const Group& g = s.groups[gi];
  const Stack& st = c.stacks.get(g.stack);
  std::string label = fmt::format("{} × {}", with_thousands(g.count), group_state_label(g, c));
  int user = find_user_frame(st, c, o.modules);
  if (!st.frames.empty()) {
    const Frame& f = st.frames[user >= 0 ? static_cast<size_t>(user) : 0];
    label += fmt::format("\n{}\n{}:{}", c.str(f.func), short_file(c.str(f.file)), f.line);
  }
  if (o.annotate) {
    std::string extra = o.annotate(gi);
    if (!extra.empty()) label += "\n" + extra;
  }
  return label;
}

}  // namespace

void write_creation_dot(const CreationForest& forest, const DotOptions& options, std::string* out) {
  const CreationGraph& cg = forest.graph();
  const Snapshot& s = forest.snapshot();
  const Catalog& c = forest.catalog();

  // Keep the largest groups and everything above them: their creators, the
  // creators' groups, and so on up to the roots.
  std::vector<bool> keep(boost::num_vertices(cg), false);
  std::vector<CreationGraph::vertex_descriptor> work;
  for (uint32_t gi = 0; gi < s.groups.size() && gi < options.max_groups; ++gi)
    work.push_back(forest.group_vertex(gi));
  while (!work.empty()) {
    auto v = work.back();
    work.pop_back();
    if (keep[v]) continue;
    keep[v] = true;
    for (auto [it, end] = boost::in_edges(v, cg); it != end; ++it)
      work.push_back(boost::source(*it, cg));
  }

  DotGraph g;
  std::vector<DotGraph::vertex_descriptor> map(boost::num_vertices(cg));
  for (auto [it, end] = boost::vertices(cg); it != end; ++it) {
    if (!keep[*it]) continue;
    const ForestNode& n = cg[*it];
    DotNode d;
    d.count = n.count;
    switch (n.kind) {
      case ForestNode::kGroup:
        d.label = group_label(s, c, n.group, options);
        d.shape = "box";
        d.highlight = is_blocked_category(s.groups[n.group].category) && n.count > 1;
        break;
      case ForestNode::kGoroutine:
        d.label = fmt::format("goroutine {}{}\ncreated {}", n.goroutine_id,
                              n.alive ? "" : " (exited)", with_thousands(n.count));
        d.shape = "ellipse";
        break;
      case ForestNode::kSite:
        d.label = fmt::format("created by {}\n{}:{}\n{} goroutines", c.str(n.func),
                              short_file(c.str(n.file)), n.line, with_thousands(n.count));
        d.shape = "note";
        break;
    }
    map[*it] = boost::add_vertex(d, g);
  }
  for (auto [it, end] = boost::edges(cg); it != end; ++it) {
    auto a = boost::source(*it, cg), b = boost::target(*it, cg);
    if (!keep[a] || !keep[b]) continue;
    const ForestEdge& e = cg[*it];
    DotEdge d;
    d.count = e.count;
    d.dashed = e.member;
    d.label = e.member ? "member" : fmt::format("{} via {}", with_thousands(e.count), c.str(e.func));
    boost::add_edge(map[a], map[b], d, g);
  }
  write_dot(g, fmt::format("goroutine creation tree: {}", s.source), out);
}

void write_calls_dot(const Snapshot& s, const Catalog& c, const DotOptions& options,
                     std::string* out) {
  DotGraph g;
  std::unordered_map<StrId, DotGraph::vertex_descriptor> funcs;
  std::map<std::pair<size_t, size_t>, DotGraph::edge_descriptor> edges;
  auto func_vertex = [&](StrId f) {
    auto [it, fresh] = funcs.emplace(f, 0);
    if (fresh) {
      DotNode d;
      d.shape = is_user_func(c.str(f), options.modules) ? "box" : "ellipse";
      it->second = boost::add_vertex(d, g);
    }
    return it->second;
  };
  auto add_edge = [&](DotGraph::vertex_descriptor a, DotGraph::vertex_descriptor b, uint64_t n) {
    auto [it, fresh] = edges.emplace(std::make_pair(a, b), DotGraph::edge_descriptor{});
    if (fresh) it->second = boost::add_edge(a, b, DotEdge{}, g).first;
    g[it->second].count += n;
  };
  for (uint32_t gi = 0; gi < s.groups.size() && gi < options.max_groups; ++gi) {
    const Group& grp = s.groups[gi];
    const Stack& st = c.stacks.get(grp.stack);
    // One leaf per group: where its goroutines wait.
    DotNode leaf;
    leaf.label = group_label(s, c, gi, options);
    leaf.shape = "box";
    leaf.count = grp.count;
    leaf.highlight = is_blocked_category(grp.category) && grp.count > 1;
    auto lv = boost::add_vertex(leaf, g);
    std::vector<StrId> seen;  // recursion: count a function once per group
    for (size_t i = 0; i < st.frames.size(); ++i) {
      auto v = func_vertex(st.frames[i].func);
      if (std::find(seen.begin(), seen.end(), st.frames[i].func) == seen.end()) {
        g[v].count += grp.count;
        seen.push_back(st.frames[i].func);
      }
      if (i == 0) add_edge(v, lv, grp.count);
      else add_edge(v, func_vertex(st.frames[i - 1].func), grp.count);
    }
  }
  for (auto [f, v] : funcs) g[v].label = fmt::format("{}\n{}", c.str(f), with_thousands(g[v].count));
  for (auto [it, end] = boost::edges(g); it != end; ++it) g[*it].label = with_thousands(g[*it].count);
  write_dot(g, fmt::format("grouped call graph: {}", s.source), out);
}

void write_diff_dot(const DiffInput& in, ReportOutput& out) {
  const SnapshotDiff& diff = *in.report.diff;
  const size_t focus_index = in.report.focus;
  const DiffDump& focus = diff.dumps[focus_index];
  DotOptions dot;
  dot.modules = in.options.modules;
  dot.annotate = [&](uint32_t gi) {
    const DiffRow& row = diff.rows[diff.row_of[focus_index][gi]];
    std::string counts;
    for (size_t i = 0; i < row.counts.size(); ++i)
      counts += fmt::format("{}{}", i ? " → " : "", row.counts[i]);
    return fmt::format("{} ({})", counts, diff_status_name(row.status));
  };
  if (in.options.graph == ReportOptions::Graph::kCalls) {
    write_calls_dot(*focus.snapshot, *focus.catalog, dot, out.string());
  } else {
    CreationForest forest(*focus.snapshot, *focus.catalog);
    write_creation_dot(forest, dot, out.string());
  }
  out.flush();
}

}  // namespace gorleak
