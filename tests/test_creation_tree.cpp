// Who spawned what, on the spawn-tree corpus program: its .expect names every
// spawner goroutine (goid), its function, and how many children it created.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>

#include "diff/creation_forest.h"
#include "report/dot_writer.h"
#include "series_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

using Expect = std::map<std::string, std::string>;

std::vector<Expect> expect_rows(const std::string& version) {
  std::vector<Expect> out;
  for (const auto& row : read_expect(corpus_dumps_dir() / ("spawn-tree.go" + version + ".expect")))
    out.emplace_back(row.begin(), row.end());
  return out;
}

// Groups whose stack has `func` and whose created-by is `created_by`.
std::vector<uint32_t> groups_of(const Snapshot& s, const Catalog& c, const std::string& func,
                                const std::string& created_by) {
  std::vector<uint32_t> out;
  for (uint32_t gi = 0; gi < s.groups.size(); ++gi) {
    const Stack& st = c.stacks.get(s.groups[gi].stack);
    if (c.str(st.created_by.func) != created_by) continue;
    for (const Frame& f : st.frames)
      if (c.str(f.func) == func) {
        out.push_back(gi);
        break;
      }
  }
  return out;
}

}  // namespace

TEST_CASE("Go >= 1.21: children are attributed to their spawner goroutine") {
  size_t checked = 0;
  for (const std::string& version : series_versions("spawn-tree")) {
    auto rows = expect_rows(version);
    bool parent_ids = false;
    for (auto& r : rows) parent_ids |= r["parent_ids_in_dump"] == "1";
    if (!parent_ids) continue;
    CAPTURE(version);
    auto l = load(corpus_dumps_dir() / ("spawn-tree.go" + version + ".debug2.txt"));
    REQUIRE(l->result.ok);
    const Snapshot& s = l->result.snapshots.back();
    CreationForest forest(s, l->catalog);
    CHECK(forest.has_parent_ids());
    for (auto& r : rows) {
      if (!r.count("spawner") || r["child"].find(',') != std::string::npos) continue;
      CAPTURE(r["spawner"]);
      CAPTURE(r["goid"]);
      uint64_t goid = std::stoull(r["goid"]);
      uint64_t created = 0;
      bool alive = false;
      uint32_t parent_group = 0;
      for (uint32_t gi : groups_of(s, l->catalog, r["child"], r["spawner"])) {
        for (const SpawnAttribution& a : forest.attribute(gi)) {
          if (!a.has_parent || a.parent_id != goid) continue;
          created += a.created;
          alive = a.parent_alive;
          parent_group = a.parent_group;
          CHECK(l->catalog.str(a.func) == r["spawner"]);
        }
      }
      CHECK(created == std::stoull(r["created"]));
      bool expect_alive = r["spawner_alive"] != "0";
      CHECK(alive == expect_alive);
      if (alive) {
        // The spawner's own group runs the spawning function.
        bool found = false;
        for (const Frame& f : l->catalog.stacks.get(s.groups[parent_group].stack).frames)
          found |= l->catalog.str(f.func) == r["spawner"];
        CHECK(found);
      }
    }
    // The leak, in the words of the report.
    for (auto& r : rows) {
      if (!r.count("rule")) continue;
      auto gs = groups_of(s, l->catalog, r["site"], r["created_by"]);
      REQUIRE(gs.size() == 1);
      auto a = forest.attribute(gs[0]);
      REQUIRE_FALSE(a.empty());
      std::string goid;
      for (auto& sp : rows)
        if (sp["spawner"] == r["created_by"]) goid = sp["goid"];
      CHECK(describe_attribution(a[0], s, l->catalog) ==
            "goroutine " + goid + ", " + r["created_by"] + ", created " + r["count"] +
                " of the " + r["count"] + " goroutines blocked in " + r["state"]);
      auto blocked = forest.blocked(1);
      REQUIRE(blocked.size() == 1);
      CHECK(blocked[0].group == gs[0]);
    }
    ++checked;
  }
  if (checked == 0) MESSAGE("no Go >= 1.21 spawn-tree dump: skipped");
}

TEST_CASE("older dumps: attribution by created-by site") {
  size_t checked = 0;
  for (const std::string& version : series_versions("spawn-tree")) {
    auto rows = expect_rows(version);
    bool parent_ids = false;
    for (auto& r : rows) parent_ids |= r["parent_ids_in_dump"] == "1";
    if (parent_ids) continue;
    CAPTURE(version);
    auto l = load(corpus_dumps_dir() / ("spawn-tree.go" + version + ".debug2.txt"));
    REQUIRE(l->result.ok);
    const Snapshot& s = l->result.snapshots.back();
    CreationForest forest(s, l->catalog);
    CHECK_FALSE(forest.has_parent_ids());
    for (auto& r : rows) {
      if (!r.count("rule")) continue;
      auto gs = groups_of(s, l->catalog, r["site"], r["created_by"]);
      REQUIRE(gs.size() == 1);
      auto a = forest.attribute(gs[0]);
      REQUIRE(a.size() == 1);
      CHECK_FALSE(a[0].has_parent);
      CHECK(a[0].created == std::stoull(r["count"]));
      std::string text = describe_attribution(a[0], s, l->catalog);
      CHECK(text.rfind(r["created_by"] + " (main.go:", 0) == 0);
      CHECK(text.find("created " + r["count"] + " of the " + r["count"] +
                      " goroutines blocked in " + r["state"]) != std::string::npos);
    }
    ++checked;
  }
  if (checked == 0) MESSAGE("no pre-1.21 spawn-tree dump: skipped");
}

TEST_CASE("dot export of the creation tree and the call graph") {
  auto versions = series_versions("spawn-tree");
  if (versions.empty()) {
    MESSAGE("no spawn-tree dumps: skipped");
    return;
  }
  auto l = load(corpus_dumps_dir() / ("spawn-tree.go" + versions.back() + ".debug2.txt"));
  REQUIRE(l->result.ok);
  const Snapshot& s = l->result.snapshots.back();
  CreationForest forest(s, l->catalog);
  std::string dot;
  write_creation_dot(forest, DotOptions{}, &dot);
  CHECK(dot.rfind("digraph G {", 0) == 0);
  CHECK(dot.find("300 × chan send") != std::string::npos);
  CHECK(dot.find("via main.(*Server).serve") != std::string::npos);
  // The ancestors drawn are bounded: one group, one vertex above it, and
  // at most one fold per vertex drawn.
  DotOptions one;
  one.max_groups = 1;
  one.max_ancestors = 1;
  std::string small;
  write_creation_dot(forest, one, &small);
  size_t nodes = 0;  // lines "N[label=…", not the edges' "A->B [label=…"
  std::istringstream lines(small);
  for (std::string line; std::getline(lines, line);)
    if (line.find("[label=") != std::string::npos && line.find("->") == std::string::npos) ++nodes;
  CHECK(nodes >= 2);
  CHECK(nodes <= 4);
  std::string calls;
  write_calls_dot(s, l->catalog, DotOptions{}, &calls);
  CHECK(calls.rfind("digraph G {", 0) == 0);
  CHECK(calls.find("main.(*Server).handle\\n300") != std::string::npos);
}
