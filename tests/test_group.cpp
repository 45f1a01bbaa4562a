// The group stage on real dumps: exact totals, counts that add up, the
// ground truth of the corpus programs, looser grouping by function, and
// spawn edges.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

#include <fmt/format.h>

#include "model/func_name.h"
#include "model/user_code.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

std::vector<std::filesystem::path> our_dumps() {
  return list_files(corpus_dumps_dir(), ".txt");
}

std::vector<std::filesystem::path> public_dumps() {
  if (!shared_available()) return {};
  return list_files(shared_dir() / "corpus-public", ".txt");
}

// Invariants every grouped snapshot must satisfy, whatever the input.
void check_snapshot_invariants(const Snapshot& s, const Catalog& catalog) {
  uint64_t group_sum = 0, leaked_sum = 0;
  for (size_t i = 0; i < s.groups.size(); ++i) {
    const Group& g = s.groups[i];
    CHECK(g.count > 0);
    CHECK(g.sample_ids.size() <= Group::kMaxSamples);
    CHECK(g.sample_ids.size() <= g.count);
    CHECK(g.leaked <= g.count);
    CHECK(g.locked_to_thread <= g.count);
    CHECK(g.min_wait <= g.max_wait);
    CHECK(g.stack < catalog.stacks.size());
    group_sum += g.count;
    leaked_sum += g.leaked;
    if (i > 0) {
      const Group& p = s.groups[i - 1];
      // Sorted: count desc, then category, then first line.
      bool ordered = p.count > g.count ||
                     (p.count == g.count &&
                      (p.category < g.category ||
                       (p.category == g.category && p.first_line <= g.first_line)));
      CHECK_MESSAGE(ordered, "groups " << i - 1 << " and " << i << " out of order");
    }
  }
  CHECK(group_sum == s.total);
  CHECK(leaked_sum == s.leaked);
  uint64_t state_sum = 0;
  for (uint64_t n : s.states) state_sum += n;
  CHECK(state_sum == s.total);

  // Spawn edges: per group, one created-by site, counts adding up to the
  // group (every goroutine of a group shares its created-by function).
  std::map<uint32_t, uint64_t> edge_sum;
  for (const SpawnEdge& e : s.spawns) {
    REQUIRE(e.group < s.groups.size());
    CHECK(e.count > 0);
    CHECK(catalog.stacks.get(s.groups[e.group].stack).created_by.func == e.func);
    edge_sum[e.group] += e.count;
  }
  for (size_t i = 0; i < s.groups.size(); ++i) {
    bool has_cb = catalog.stacks.get(s.groups[i].stack).created_by.present();
    if (has_cb)
      CHECK(edge_sum[static_cast<uint32_t>(i)] == s.groups[i].count);
    else
      CHECK(edge_sum.count(static_cast<uint32_t>(i)) == 0);
  }
  for (size_t i = 1; i < s.spawners.size(); ++i) CHECK(s.spawners[i - 1].id < s.spawners[i].id);
  for (const SpawnerInfo& sp : s.spawners) {
    REQUIRE(sp.group < s.groups.size());
    // The spawner's own group really holds that goroutine id when sampled.
    const Group& g = s.groups[sp.group];
    if (g.sample_ids.size() == g.count) {
      bool found = false;
      for (uint64_t id : g.sample_ids) found |= id == sp.id;
      CHECK_MESSAGE(found, "spawner " << sp.id << " not in its group's ids");
    }
  }
}

// Lines of a debug=2 / crash dump that are goroutine headers.
uint64_t count_headers(const std::string& text) {
  static const std::regex header(R"(^goroutine \d+( gp=\S+ m=\S+( mp=\S+)?)? \[.*\]( \{.*\})?:\r?$)");
  uint64_t n = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    if (line.rfind("goroutine ", 0) == 0 && std::regex_match(line, header)) ++n;
    pos = nl + 1;
  }
  return n;
}

// True when the group's stack holds a frame of `func` (the .expect files
// name a leak site: a user frame, or the stdlib entry point of stdlib-only
// goroutines such as net/http.(*persistConn).readLoop).
bool has_frame(const Group& g, const Catalog& catalog, std::string_view func) {
  for (const Frame& f : catalog.stacks.get(g.stack).frames)
    if (catalog.str(f.func) == func) return true;
  return false;
}

// Goroutines per (state, site) of the corpus program's own code, from an
// .expect file. Rows with `labels=` split a (state, site) by label set; when
// a label-free row for the same key gives the total, the split is ignored.
using ExpectKey = std::pair<std::string, std::string>;
std::map<ExpectKey, uint64_t> expected_counts(
    const std::vector<std::vector<std::pair<std::string, std::string>>>& rows, bool by_state) {
  std::map<ExpectKey, uint64_t> plain, labelled;
  for (const auto& row : rows) {
    std::map<std::string, std::string> kv(row.begin(), row.end());
    if (!kv.count("count") || !kv.count("site")) continue;
    if (by_state && (!kv.count("state") || kv["state"].empty())) continue;
    if (kv["state"] == "any" || kv["state"].find('|') != std::string::npos)
      continue;  // timing-dependent
    // Stdlib sites (net/http.(*Server).Serve…) also occur in the capture
    // machinery (the pprof server), which the .expect does not count.
    if (is_library_func(kv["site"])) continue;
    ExpectKey key{by_state ? kv["state"] : std::string(), kv["site"]};
    (kv.count("labels") ? labelled : plain)[key] += std::stoull(kv["count"]);
  }
  for (const auto& [key, n] : labelled)
    if (!plain.count(key)) plain[key] = n;
  return plain;
}

}  // namespace

TEST_CASE("group counts add up on every corpus dump") {
  auto files = our_dumps();
  auto pub = public_dumps();
  files.insert(files.end(), pub.begin(), pub.end());
  if (files.empty()) {
    MESSAGE("no corpus dumps found: skipped");
    return;
  }
  for (const auto& path : files) {
    CAPTURE(path.string());
    auto l = load(path);
    if (!l->result.ok) continue;  // not-a-dump samples are the CLI tests' business
    for (const Snapshot& s : l->result.snapshots) check_snapshot_invariants(s, l->catalog);
  }
}

TEST_CASE("debug=1 totals equal the declared total") {
  auto files = list_files(corpus_dumps_dir(), "debug1");
  for (const auto& p : public_dumps()) {
    std::string name = p.filename().string();
    // Only complete debug=1 files; issue excerpts are cut short.
    if (name.find("debug1") != std::string::npos && name.rfind("issue-", 0) != 0)
      files.push_back(p);
  }
  if (files.empty()) {
    MESSAGE("no debug=1 dumps found: skipped");
    return;
  }
  for (const auto& path : files) {
    CAPTURE(path.string());
    auto l = load(path);
    REQUIRE(l->result.ok);
    REQUIRE(!l->result.snapshots.empty());
    for (const Snapshot& s : l->result.snapshots) {
      CHECK(s.form == Form::kDebug1);
      REQUIRE(s.declared_total.has_value());
      CHECK(s.total == *s.declared_total);
      for (const Group& g : s.groups) CHECK(g.sample_ids.empty());  // no ids in debug=1
    }
  }
}

TEST_CASE("debug=2 and SIGQUIT totals equal the number of goroutine headers") {
  std::vector<std::filesystem::path> files;
  for (const char* kind : {"debug2", "sigquit", "leak2"})
    for (const auto& p : list_files(corpus_dumps_dir(), kind)) files.push_back(p);
  if (files.empty()) {
    MESSAGE("no debug=2 dumps in corpus/dumps: skipped");
    return;
  }
  for (const auto& path : files) {
    CAPTURE(path.string());
    auto l = load(path);
    REQUIRE(l->result.ok);
    uint64_t total = 0;
    for (const Snapshot& s : l->result.snapshots) total += s.total;
    CHECK(total == count_headers(read_file(path)));
  }
}

TEST_CASE("groups match the corpus programs' ground truth") {
  auto expects = list_files(corpus_dumps_dir(), ".expect");
  if (expects.empty()) {
    MESSAGE("no .expect files: skipped");
    return;
  }
  size_t checked = 0;
  for (const auto& exp : expects) {
    std::string stem = exp.filename().string();
    stem = stem.substr(0, stem.size() - std::string(".expect").size());
    auto rows = read_expect(exp);
    for (const char* kind : {".debug2.txt", ".sigquit.txt"}) {
      auto path = corpus_dumps_dir() / (stem + kind);
      if (!std::filesystem::exists(path)) continue;
      CAPTURE(path.string());
      auto l = load(path);
      REQUIRE(l->result.ok);
      REQUIRE(l->result.snapshots.size() == 1);
      const Snapshot& s = l->result.snapshots[0];
      auto want = expected_counts(rows, true);
      for (const auto& [key, n] : want) {
        CAPTURE(key.first);
        CAPTURE(key.second);
        uint64_t got = 0;
        for (const Group& g : s.groups)
          if (l->catalog.str(g.state) == key.first && has_frame(g, l->catalog, key.second))
            got += g.count;
        CHECK(got == n);
        ++checked;
      }
    }
  }
  CHECK(checked > 0);
}

TEST_CASE("debug=1 groups carry the corpus programs' counts per site") {
  auto expects = list_files(corpus_dumps_dir(), ".expect");
  size_t checked = 0;
  for (const auto& exp : expects) {
    std::string stem = exp.filename().string();
    stem = stem.substr(0, stem.size() - std::string(".expect").size());
    auto path = corpus_dumps_dir() / (stem + ".debug1.txt");
    if (!std::filesystem::exists(path)) continue;
    CAPTURE(path.string());
    auto l = load(path);
    REQUIRE(l->result.ok);
    REQUIRE(!l->result.snapshots.empty());
    auto want = expected_counts(read_expect(exp), false);
    for (const auto& [key, n] : want) {
      const std::string& site = key.second;
      CAPTURE(site);
      uint64_t got = 0;
      for (const Group& g : l->result.snapshots[0].groups)
        if (has_frame(g, l->catalog, site)) got += g.count;
      CHECK(got == n);
      ++checked;
    }
  }
  if (checked == 0) MESSAGE("no debug=1 dump with an .expect file: nothing checked");
}

TEST_CASE("group-by function merges exactly the groups that differ only in lines") {
  auto files = our_dumps();
  auto pub = public_dumps();
  files.insert(files.end(), pub.begin(), pub.end());
  if (files.empty()) {
    MESSAGE("no corpus dumps found: skipped");
    return;
  }
  LoadOptions loose;
  loose.group.group_by = GroupBy::kFunction;
  size_t merged_somewhere = 0;
  for (const auto& path : files) {
    CAPTURE(path.string());
    auto strict = load(path);
    auto fn = load(path, loose);
    if (!strict->result.ok) continue;
    REQUIRE(fn->result.ok);
    REQUIRE(strict->result.snapshots.size() == fn->result.snapshots.size());
    for (size_t si = 0; si < strict->result.snapshots.size(); ++si) {
      const Snapshot& a = strict->result.snapshots[si];
      const Snapshot& b = fn->result.snapshots[si];
      check_snapshot_invariants(b, fn->catalog);
      CHECK(a.total == b.total);
      CHECK(a.states == b.states);
      CHECK(b.groups.size() <= a.groups.size());
      // The line-free signature of each strict group, summed, must give the
      // loose groups exactly.
      auto signature = [](const Snapshot& s, const Catalog& c, const Group& g) {
        const Stack& st = c.stacks.get(g.stack);
        std::string sig = fmt::format("{}|{}|", c.str(g.state), static_cast<int>(g.category));
        for (const Frame& f : st.frames) sig += fmt::format("{}@{};", c.str(f.func), c.str(f.file));
        sig += fmt::format("<{}@{}>{}/{}", c.str(st.created_by.func), c.str(st.created_by.file),
                           st.elided_count, st.elided_at);
        (void)s;
        return sig;
      };
      std::map<std::string, uint64_t> want, got;
      for (const Group& g : a.groups) want[signature(a, strict->catalog, g)] += g.count;
      for (const Group& g : b.groups) {
        std::string sig = signature(b, fn->catalog, g);
        CHECK_MESSAGE(got.count(sig) == 0, "two loose groups with one signature");
        got[sig] += g.count;
        for (const Frame& f : fn->catalog.stacks.get(g.stack).frames) CHECK(f.line == 0);
      }
      CHECK(want == got);
      if (b.groups.size() < a.groups.size()) {
        ++merged_somewhere;
        MESSAGE(path.filename().string() << ": " << a.groups.size() << " stack groups -> "
                                         << b.groups.size() << " function groups");
      }
    }
  }
  if (shared_available()) CHECK_MESSAGE(merged_somewhere > 0, "no real dump merged any groups");
}

TEST_CASE("group-by function merges two real goroutines that differ only in a line") {
  // Two blocks of the same real goroutine (states program, Go 1.22, the
  // wgWaiter goroutine) where only the line of the user frame differs, as
  // after a small edit between two builds.
  auto path = corpus_dumps_dir() / "states.go1.22.debug2.txt";
  if (!std::filesystem::exists(path)) {
    MESSAGE("states.go1.22.debug2.txt missing: skipped");
    return;
  }
  std::string text = read_file(path);
  size_t at = text.find("main.wgWaiter(");
  REQUIRE(at != std::string::npos);
  size_t start = text.rfind("\ngoroutine ", at) + 1;
  size_t end = text.find("\n\n", at);
  std::string block = text.substr(start, end - start);
  std::string moved = std::regex_replace(block, std::regex(R"(main\.go:(\d+))"), "main.go:9$1",
                                         std::regex_constants::format_first_only);
  // Only the wgWaiter frame's line changes; the created-by line stays.
  moved = std::regex_replace(moved, std::regex(R"(^goroutine (\d+))"), "goroutine 9$1");
  std::string dump = block + "\n\n" + moved + "\n";

  auto strict = load_text(dump);
  REQUIRE(strict->result.ok);
  REQUIRE(strict->result.snapshots.size() == 1);
  CHECK(strict->result.snapshots[0].total == 2);
  CHECK(strict->result.snapshots[0].groups.size() == 2);

  LoadOptions loose;
  loose.group.group_by = GroupBy::kFunction;
  auto fn = load_text(dump, loose);
  REQUIRE(fn->result.snapshots.size() == 1);
  const Snapshot& s = fn->result.snapshots[0];
  REQUIRE(s.groups.size() == 1);
  CHECK(s.groups[0].count == 2);
  CHECK(s.groups[0].sample_ids.size() == 2);
  // The created-by line of the first goroutine survives in the spawn edge.
  REQUIRE(!s.spawns.empty());
  CHECK(s.spawns[0].line != 0);
}

TEST_CASE("spawn edges name parents and their groups (Go 1.21+)") {
  auto path = corpus_dumps_dir() / "states.go1.22.debug2.txt";
  if (!std::filesystem::exists(path)) {
    MESSAGE("states.go1.22.debug2.txt missing: skipped");
    return;
  }
  auto l = load(path);
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  const Catalog& c = l->catalog;
  // main.main (goroutine 1) started most workers: its edges resolve to the
  // group that holds goroutine 1.
  size_t from_main = 0;
  for (const SpawnEdge& e : s.spawns) {
    if (!e.has_parent || e.parent_id != 1) continue;
    ++from_main;
  }
  CHECK(from_main > 0);
  const SpawnerInfo* one = nullptr;
  for (const SpawnerInfo& sp : s.spawners)
    if (sp.id == 1) one = &sp;
  REQUIRE(one != nullptr);
  const Group& g1 = s.groups[one->group];
  bool has_main = false;
  for (const Frame& f : c.stacks.get(g1.stack).frames) has_main |= c.str(f.func) == "main.main";
  CHECK(has_main);
}

TEST_CASE("pre-1.21 dumps give spawn edges without parents") {
  auto path = corpus_dumps_dir() / "states.go1.19.debug2.txt";
  if (!std::filesystem::exists(path)) {
    MESSAGE("states.go1.19.debug2.txt missing: skipped");
    return;
  }
  auto l = load(path);
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  CHECK(!s.spawns.empty());
  for (const SpawnEdge& e : s.spawns) CHECK(!e.has_parent);
  CHECK(s.spawners.empty());
}

TEST_CASE("many parents stay bounded per group, counts still add up") {
  // 40 real goroutine blocks (one real block, re-numbered) each created by a
  // different parent: the heavy-hitter table keeps 8 edges whose counts sum
  // to the group.
  auto path = corpus_dumps_dir() / "states.go1.22.debug2.txt";
  if (!std::filesystem::exists(path)) {
    MESSAGE("states.go1.22.debug2.txt missing: skipped");
    return;
  }
  std::string text = read_file(path);
  size_t at = text.find("main.sleeper(");
  REQUIRE(at != std::string::npos);
  size_t start = text.rfind("\ngoroutine ", at) + 1;
  size_t end = text.find("\n\n", at);
  std::string block = text.substr(start, end - start);
  REQUIRE(block.find(" in goroutine ") != std::string::npos);
  std::string dump;
  for (int i = 0; i < 40; ++i) {
    std::string b = std::regex_replace(block, std::regex(R"(^goroutine \d+)"),
                                       fmt::format("goroutine {}", 1000 + i));
    // Parent 7 spawns 20 of them, the other 20 have distinct parents.
    b = std::regex_replace(b, std::regex(R"( in goroutine \d+)"),
                           fmt::format(" in goroutine {}", i % 2 ? 7 : 2000 + i));
    dump += (dump.empty() ? "" : "\n\n") + b;
  }
  dump += "\n";
  auto l = load_text(dump);
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  REQUIRE(s.groups.size() == 1);
  CHECK(s.groups[0].count == 40);
  uint64_t sum = 0;
  bool seven = false;
  for (const SpawnEdge& e : s.spawns) {
    sum += e.count;
    if (e.parent_id == 7) {
      seven = true;
      CHECK(e.count >= 20);  // a heavy hitter is never lost or undercounted
    }
  }
  CHECK(s.spawns.size() <= 8);
  CHECK(sum == 40);
  CHECK(seven);
  CHECK(s.spawns[0].parent_id == 7);  // sorted by count
}

namespace {

// One dump of `groups` groups, in Go 1.22's debug=2 form: group k holds
// k % 3 + 1 goroutines of its own function, created by goroutine 1 or by
// another, so counts tie and spawn edges vary. When `tag` is odd, the ids
// start at 1,000,000 and half the parents are ids 2, 3, … that only the
// dump before held: a parent id from an earlier snapshot must not resolve.
std::string dump_of_groups(int groups, int tag) {
  std::string out = "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n";
  const bool odd = tag % 2 != 0;
  uint64_t id = odd ? 1000000 : 2;
  for (int k = 0; k < groups; ++k) {
    for (int n = 0; n <= k % 3; ++n, ++id) {
      uint64_t parent = k % 2 ? 1 : odd ? 2 + static_cast<uint64_t>(k) : id - 1;
      out += fmt::format(
          "\ngoroutine {} [chan receive]:\nexample.com/svc/d{}.worker{}()\n"
          "\t/app/d{}/worker.go:{} +0x4f\ncreated by main.main in goroutine {}\n"
          "\t/app/main.go:{} +0x2b\n",
          id, tag, k, tag, 20 + k % 7, parent, 30 + k % 5);
    }
  }
  return out;
}

// A snapshot as the report sees it, in strings: each group's state, count
// and top function, each spawn edge, and the group of each parent.
std::vector<std::string> rendered(const Snapshot& s, const Catalog& c) {
  std::vector<std::string> out;
  for (const Group& g : s.groups)
    out.push_back(fmt::format("group {} {} {}", c.str(g.state), g.count,
                              c.str(c.stacks.get(g.stack).frames[0].func)));
  for (const SpawnEdge& e : s.spawns)
    out.push_back(fmt::format("edge {} {} {} {} {}", e.group, e.has_parent, e.parent_id,
                              c.str(e.func), e.count));
  for (const SpawnerInfo& p : s.spawners) out.push_back(fmt::format("spawner {} {}", p.id, p.group));
  return out;
}

}  // namespace

TEST_CASE("snapshots of one input group as each would alone, whatever came before") {
  // The grouper keeps its sort's scratch vectors and its id table from one
  // snapshot to the next (a crash loop ends one per record) and frees the
  // big ones: sizes across that bound (4096 groups) in both directions.
  const std::vector<int> sizes = {1, 5000, 2, 1, 300, 4100, 3, 1};
  std::string all;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) all += "\n";
    all += dump_of_groups(sizes[i], static_cast<int>(i));
  }
  auto together = load_text(all);
  REQUIRE(together->result.snapshots.size() == sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    CAPTURE(i);
    auto alone = load_text(dump_of_groups(sizes[i], static_cast<int>(i)));
    REQUIRE(alone->result.snapshots.size() == 1);
    const Snapshot& t = together->result.snapshots[i];
    check_snapshot_invariants(t, together->catalog);
    CHECK(t.groups.size() == static_cast<size_t>(sizes[i]) + 1);
    CHECK(rendered(t, together->catalog) ==
          rendered(alone->result.snapshots[0], alone->catalog));
  }
}
