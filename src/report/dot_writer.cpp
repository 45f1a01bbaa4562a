#include "report/dot_writer.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <ostream>
#include <streambuf>
#include <unordered_map>

// GCC reports Boost's edge iterator (a boost::optional inside) as maybe
// uninitialized when it is instantiated here; it is a known false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/transform_value_property_map.hpp>
#include <fmt/format.h>

#include "model/user_code.h"
#include "report/diff_report.h"
#include "report/text_escape.h"
#include "report/text_style.h"

namespace gorleak {

void dot_escape(std::string_view line, std::string* out) {
  for (char ch : text_escaped(line)) {
    if (ch == '"' || ch == '\\') out->push_back('\\');
    if (ch == '&') {
      out->append("&amp;");
      continue;
    }
    out->push_back(ch);
  }
}

namespace {

// A drawable graph: attributes are ready-made strings, so the writers below
// only print them.
struct DotNode {
  std::string label;
  std::string shape;
  uint64_t count = 0;
  int highlight = 0;  // 2 leaking, 1 blocked
  bool top = false;   // on the top rank
};
struct DotEdge {
  std::string label;
  uint64_t count = 0;
  bool dashed = false;
};
using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, DotNode, DotEdge>;

// A quoted DOT string; '\n' in `s` separates lines.
std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  while (true) {
    size_t nl = s.find('\n');
    dot_escape(s.substr(0, nl), &out);
    if (nl == std::string_view::npos) break;
    out += "\\n";
    s.remove_prefix(nl + 1);
  }
  return out + "\"";
}

std::string short_file(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// A node's id in the DOT text: its vertex index. write_graphviz quotes each
// id it prints through an unqualified escape_dot_string(id), which for any
// type matches the id against an xpressive regex: a quarter of the time of
// a DOT report of 50,000 groups. A number never needs quoting, so this
// overload, found by argument-dependent lookup and preferred to Boost's
// template, prints it as it is.
struct DotNodeId {
  size_t index = 0;
};
std::string escape_dot_string(DotNodeId id) { return std::to_string(id.index); }

// log-scaled so 1 and 100,000 goroutines both fit on a page.
double scale(uint64_t count) { return std::log10(static_cast<double>(std::max<uint64_t>(count, 1))); }

// Boost's writer only takes a stream: this one appends to the report's
// string as it goes, instead of building a second copy of the whole graph.
class AppendBuf final : public std::streambuf {
 public:
  explicit AppendBuf(std::string* out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) out_->push_back(static_cast<char>(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_->append(s, static_cast<size_t>(n));
    return n;
  }

 private:
  std::string* out_;
};

void write_dot(const DotGraph& g, std::string_view name, std::string* out) {
  AppendBuf buf(out);
  std::ostream os(&buf);
  auto vertex_writer = [&g](std::ostream& o, DotGraph::vertex_descriptor v) {
    const DotNode& n = g[v];
    double s = scale(n.count);
    o << fmt::format("[label={}, shape={}, fontsize={:.0f}, width={:.2f}, penwidth={:.1f}{}]",
                     dot_quote(n.label), n.shape, 10 + 3 * s, 1.0 + 0.6 * s, 1.0 + s,
                     n.highlight == 2   ? ", style=filled, fillcolor=\"#f6b7ae\", color=\"#c62828\""
                     : n.highlight == 1 ? ", style=filled, fillcolor=\"#fde0dc\""
                                        : "");
  };
  auto edge_writer = [&g](std::ostream& o, DotGraph::edge_descriptor e) {
    const DotEdge& d = g[e];
    o << fmt::format("[label={}, penwidth={:.1f}{}]", dot_quote(d.label), 1.0 + scale(d.count),
                     d.dashed ? ", style=dashed" : "");
  };
  auto graph_writer = [&g, name](std::ostream& o) {
    o << fmt::format("label={};\nrankdir=BT;\nnode [fontname=\"Helvetica\"];\n"
                     "edge [fontname=\"Helvetica\", fontsize=9];\n",
                     dot_quote(name));
    std::string top;
    for (auto [it, end] = boost::vertices(g); it != end; ++it)
      if (g[*it].top) top += fmt::format(" {};", *it);
    if (!top.empty()) o << "{rank=max;" << top << "}\n";
  };
  auto node_id = boost::make_transform_value_property_map(
      [](size_t index) { return DotNodeId{index}; }, boost::get(boost::vertex_index, g));
  boost::write_graphviz(os, g, vertex_writer, edge_writer, graph_writer, node_id);
}

std::string group_label(const Snapshot& s, const Catalog& c, uint32_t gi, const DotOptions& o) {
  const Group& g = s.groups[gi];
  const Stack& st = c.stacks.get(g.stack);
  std::string label = fmt::format("{} × {}", with_thousands(g.count), group_state_label(g, c));
  int user = find_user_frame(st, c, o.modules);
  if (!st.frames.empty()) {
    const Frame& f = st.frames[user >= 0 ? static_cast<size_t>(user) : 0];
    label += fmt::format("\n{}\n{}:{}", text_escaped(c.str(f.func)), short_file(c.str(f.file)),
                         f.line);
  }
  if (o.annotate) {
    std::string extra = o.annotate(gi);
    if (!extra.empty()) label += "\n" + extra;
  }
  return label;
}

// The groups to draw, in drawing order: the leaking ones, then the other
// candidates, up to max_groups.
std::vector<uint32_t> drawn_groups(const Snapshot& s, const DotOptions& o) {
  std::vector<bool> taken(s.groups.size(), false);
  std::vector<uint32_t> out;
  auto consider = [&](uint32_t gi) {
    if (out.size() >= o.max_groups || taken[gi]) return;
    taken[gi] = true;
    out.push_back(gi);
  };
  for (uint32_t gi : o.leaking)
    if (gi < s.groups.size()) consider(gi);
  if (o.groups.empty()) {
    for (uint32_t gi = 0; gi < s.groups.size(); ++gi) consider(gi);
  } else {
    for (uint32_t gi : o.groups)
      if (gi < s.groups.size()) consider(gi);
  }
  return out;
}

// The creators left out above one group: drawn as one "N more" node.
struct CreatorFold {
  CreationGraph::vertex_descriptor group = 0;
  uint64_t creators = 0;  // creator nodes left out
  uint64_t created = 0;   // goroutines of the group they created
  bool all_goroutines = true;
  bool one_func = true;  // all at one spawn function, `func`
  StrId func = 0;
};

// The part of the forest drawn above the chosen groups, found breadth
// first so the nearest generations come first: per vertex at most
// `max_creators` creation edges (most goroutines created first), at most
// `budget` vertices above the chosen ones in all. A creation edge left out
// counts in its group's fold; a member edge (a parent's own group) is kept
// while the budget lasts.
struct DrawnForest {
  std::vector<bool> keep;  // by forest vertex
  std::vector<CreationGraph::edge_descriptor> edges;
  std::vector<CreatorFold> folds;
};

DrawnForest drawn_forest(const CreationGraph& cg,
                         const std::vector<CreationGraph::vertex_descriptor>& chosen,
                         size_t max_creators, size_t budget) {
  using Vertex = CreationGraph::vertex_descriptor;
  DrawnForest d;
  d.keep.assign(boost::num_vertices(cg), false);
  std::deque<Vertex> queue;
  for (Vertex v : chosen) {
    if (d.keep[v]) continue;
    d.keep[v] = true;
    queue.push_back(v);
  }
  size_t taken = 0;
  auto take = [&](Vertex v) {
    if (d.keep[v]) return true;
    if (taken >= budget) return false;
    ++taken;
    d.keep[v] = true;
    queue.push_back(v);
    return true;
  };
  std::vector<CreationGraph::edge_descriptor> in;
  while (!queue.empty()) {
    Vertex v = queue.front();
    queue.pop_front();
    in.assign(boost::in_edges(v, cg).first, boost::in_edges(v, cg).second);
    std::sort(in.begin(), in.end(), [&cg](const auto& x, const auto& y) {
      if (cg[x].count != cg[y].count) return cg[x].count > cg[y].count;
      bool ax = cg[boost::source(x, cg)].alive, ay = cg[boost::source(y, cg)].alive;
      if (ax != ay) return ax;
      return boost::source(x, cg) < boost::source(y, cg);
    });
    CreatorFold fold;
    fold.group = v;
    size_t drawn = 0;
    for (const auto& e : in) {
      const ForestEdge& fe = cg[e];
      Vertex from = boost::source(e, cg);
      if (fe.member) {
        if (take(from)) d.edges.push_back(e);
        continue;
      }
      if (drawn < max_creators && take(from)) {
        ++drawn;
        d.edges.push_back(e);
        continue;
      }
      if (fold.creators == 0) fold.func = fe.func;
      fold.one_func = fold.one_func && fe.func == fold.func;
      fold.all_goroutines = fold.all_goroutines && cg[from].kind == ForestNode::kGoroutine;
      ++fold.creators;
      fold.created += fe.count;
    }
    if (fold.creators > 0) d.folds.push_back(fold);
  }
  return d;
}

}  // namespace

void write_creation_dot(const CreationForest& forest, const DotOptions& options, std::string* out) {
  const CreationGraph& cg = forest.graph();
  const Snapshot& s = forest.snapshot();
  const Catalog& c = forest.catalog();
  std::vector<uint32_t> groups = drawn_groups(s, options);
  std::vector<bool> leaking(s.groups.size(), false);
  for (uint32_t gi : options.leaking)
    if (gi < s.groups.size()) leaking[gi] = true;

  // The chosen groups first, in their order (leaking first), then the
  // creators above them in the forest's order, then the folds.
  std::vector<CreationGraph::vertex_descriptor> order;
  for (uint32_t gi : groups) order.push_back(forest.group_vertex(gi));
  size_t budget = options.max_ancestors > 0 ? options.max_ancestors
                                            : std::max<size_t>(100, 4 * groups.size());
  DrawnForest drawn = drawn_forest(cg, order, options.max_creators, budget);
  const std::vector<bool>& keep = drawn.keep;
  std::vector<bool> placed(boost::num_vertices(cg), false);
  for (auto v : order) placed[v] = true;
  for (auto [it, end] = boost::vertices(cg); it != end; ++it)
    if (keep[*it] && !placed[*it]) order.push_back(*it);

  DotGraph g;
  std::vector<DotGraph::vertex_descriptor> map(boost::num_vertices(cg));
  for (auto v : order) {
    const ForestNode& n = cg[v];
    DotNode d;
    d.count = n.count;
    switch (n.kind) {
      case ForestNode::kGroup:
        d.label = group_label(s, c, n.group, options);
        d.shape = "box";
        d.highlight = leaking[n.group]                                               ? 2
                      : is_blocked_category(s.groups[n.group].category) && n.count > 1 ? 1
                                                                                       : 0;
        // A leaking group that created nothing drawn here goes to the top.
        d.top = leaking[n.group] && std::none_of(boost::out_edges(v, cg).first,
                                                 boost::out_edges(v, cg).second,
                                                 [&](auto e) { return keep[boost::target(e, cg)]; });
        break;
      case ForestNode::kGoroutine:
        d.label = fmt::format("goroutine {}{}\ncreated {}", n.goroutine_id,
                              n.alive ? "" : " (exited)", with_thousands(n.count));
        d.shape = "ellipse";
        break;
      case ForestNode::kSite:
        d.label = fmt::format("created by {}\n{}:{}\n{} goroutines", text_escaped(c.str(n.func)),
                              short_file(c.str(n.file)), n.line, with_thousands(n.count));
        d.shape = "note";
        break;
    }
    map[v] = boost::add_vertex(d, g);
  }
  for (const auto& e : drawn.edges) {
    const ForestEdge& fe = cg[e];
    DotEdge d;
    d.count = fe.count;
    d.dashed = fe.member;
    d.label = fe.member ? "member"
                        : fmt::format("{} via {}", with_thousands(fe.count), text_escaped(c.str(fe.func)));
    boost::add_edge(map[boost::source(e, cg)], map[boost::target(e, cg)], d, g);
  }
  for (const CreatorFold& f : drawn.folds) {
    DotNode n;
    n.count = f.created;
    n.label = fmt::format("{} more {}\ncreated {}", with_thousands(f.creators),
                          f.all_goroutines ? "goroutines" : "creators", with_thousands(f.created));
    n.shape = "ellipse";
    DotEdge e;
    e.count = f.created;
    e.dashed = true;
    e.label = f.one_func ? fmt::format("{} via {}", with_thousands(f.created), text_escaped(c.str(f.func)))
                         : with_thousands(f.created);
    boost::add_edge(boost::add_vertex(n, g), map[f.group], e, g);
  }
  write_dot(g, fmt::format("goroutine creation tree: {}", s.source), out);
}

void write_calls_dot(const Snapshot& s, const Catalog& c, const DotOptions& options,
                     std::string* out) {
  std::vector<uint32_t> groups = drawn_groups(s, options);
  std::vector<bool> leaking(s.groups.size(), false);
  for (uint32_t gi : options.leaking)
    if (gi < s.groups.size()) leaking[gi] = true;
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
  for (uint32_t gi : groups) {
    const Group& grp = s.groups[gi];
    const Stack& st = c.stacks.get(grp.stack);
    // One leaf per group: where its goroutines wait, above the frames.
    DotNode leaf;
    leaf.label = group_label(s, c, gi, options);
    leaf.shape = "box";
    leaf.count = grp.count;
    leaf.highlight = leaking[gi] ? 2 : is_blocked_category(grp.category) && grp.count > 1 ? 1 : 0;
    leaf.top = leaking[gi];
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
  for (auto [f, v] : funcs)
    g[v].label = fmt::format("{}\n{}", text_escaped(c.str(f)), with_thousands(g[v].count));
  for (auto [it, end] = boost::edges(g); it != end; ++it) g[*it].label = with_thousands(g[*it].count);
  write_dot(g, fmt::format("grouped call graph: {}", s.source), out);
}

namespace {

// The groups the findings cover, most severe finding first (their order).
std::vector<uint32_t> finding_groups(const std::vector<Finding>& findings) {
  std::vector<uint32_t> out;
  for (const Finding& f : findings) {
    if (f.severity == RuleSeverity::kInfo) continue;
    for (uint32_t g : f.groups)
      if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  }
  return out;
}

void write_graph(const Snapshot& s, const Catalog& c, const ReportOptions& options,
                 DotOptions dot, std::string* out) {
  dot.modules = options.modules;
  if (options.top) dot.max_groups = *options.top == 0 ? SIZE_MAX : *options.top;
  if (options.graph == ReportOptions::Graph::kCalls) {
    write_calls_dot(s, c, dot, out);
  } else {
    CreationForest forest(s, c);
    write_creation_dot(forest, dot, out);
  }
}

class DotWriter final : public SnapshotWriter {
 public:
  void snapshot(const ReportInput& in, size_t si, ReportOutput& out) override {
    const Snapshot& s = in.snapshots[si];
    DotOptions dot;
    dot.groups = in.selections[si].shown;
    // A finding's group the filters hide stays hidden.
    for (uint32_t g : finding_groups(s.findings))
      if (std::binary_search(dot.groups.begin(), dot.groups.end(), g)) dot.leaking.push_back(g);
    write_graph(s, in.catalog, in.options, std::move(dot), out.string());
  }
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_dot_writer() { return std::make_unique<DotWriter>(); }

void write_diff_dot(const DiffInput& in, ReportOutput& out) {
  const SnapshotDiff& diff = *in.report.diff;
  const size_t focus_index = in.report.focus;
  const DiffDump& focus = diff.dumps[focus_index];
  DotOptions dot;
  dot.leaking = finding_groups(in.report.findings);
  // Then the groups that grew and stayed, largest growth first (the rows' order).
  for (const DiffRow& row : diff.rows)
    if (is_increase(row.status))
      for (uint32_t g : row.groups[focus_index])
        if (std::find(dot.leaking.begin(), dot.leaking.end(), g) == dot.leaking.end())
          dot.leaking.push_back(g);
  dot.annotate = [&](uint32_t gi) {
    const DiffRow& row = diff.rows[diff.row_of[focus_index][gi]];
    std::string counts;
    for (size_t i = 0; i < row.counts.size(); ++i)
      counts += fmt::format("{}{}", i ? " → " : "", row.counts[i]);
    return fmt::format("{} ({})", counts, diff_status_name(row.status));
  };
  write_graph(*focus.snapshot, *focus.catalog, in.options, std::move(dot), out.string());
  out.flush();
}

}  // namespace gorleak
