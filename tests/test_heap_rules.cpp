// The heap rules on the corpus heap programs (corpus/programs/heap-*): each
// program prints what it leaked in each phase (`heap_rule=… site=…`) or that
// the phase is healthy, and the rules must agree on every profile of every
// Go version, protobuf and debug=1 text alike. Also: the diff's retained
// and churn verdicts, stayed against drained, and the join of a goroutine
// dump with a heap profile of the same moment.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "classify/classifier.h"
#include "heap/go_version.h"
#include "heap/heap_diff.h"
#include "heap/heap_report.h"
#include "heap/heap_rules.h"
#include "heap/memstats.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

struct Loaded2 {
  Catalog catalog;
  std::vector<HeapProfile> profiles;  // in the order asked
};

std::unique_ptr<Loaded2> load_heaps(const std::vector<fs::path>& files) {
  auto out = std::make_unique<Loaded2>();
  for (const fs::path& f : files) {
    LoadResult r = load_dump_file(out->catalog, f.string());
    REQUIRE_MESSAGE(r.ok, f.string());
    REQUIRE_MESSAGE(r.heap_profiles.size() == 1, f.string());
    out->profiles.push_back(std::move(r.heap_profiles.front()));
  }
  return out;
}

std::string describe(const Catalog& c, const std::vector<HeapFinding>& fs) {
  std::string s;
  for (const HeapFinding& f : fs)
    s += fmt::format("\n  {} site={} {} inuse={} ", f.rule, c.str(f.site.func), severity_name(f.severity),
                     f.values[static_cast<size_t>(HeapValue::kInuseSpace)]);
  return s.empty() ? " (none)" : s;
}

std::string value_of(const std::vector<std::pair<std::string, std::string>>& line, const std::string& key) {
  for (const auto& [k, v] : line)
    if (k == key) return v;
  return "";
}

}  // namespace

TEST_CASE("heap rules fire at the site each program names, and are silent on healthy phases") {
  std::vector<fs::path> expects;
  for (const fs::path& p : list_files(corpus_dumps_dir(), ".expect"))
    if (p.filename().string().rfind("heap-", 0) == 0) expects.push_back(p);
  REQUIRE(expects.size() >= 15);
  const RuleSet& rules = builtin_rule_set();
  std::set<std::string> fired;
  std::map<std::string, std::set<std::string>> versions;  // rule -> Go versions seen firing
  size_t positive = 0, healthy = 0;
  for (const fs::path& e : expects) {
    std::string name = e.filename().string();
    std::string stem = (corpus_profiles_dir() / name.substr(0, name.size() - std::string(".expect").size())).string();
    std::string version = stem.substr(stem.find(".go1.") + 3);
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> wanted;  // phase -> rule/site
    std::set<std::string> healthy_phases;
    for (const auto& line : read_expect(e)) {
      std::string phase = value_of(line, "phase");
      if (value_of(line, "healthy") == "1" || value_of(line, "heap_healthy") == "1")
        healthy_phases.insert(phase);
      std::string rule = value_of(line, "heap_rule");
      if (!rule.empty()) wanted[phase].emplace_back(rule, value_of(line, "site"));
    }
    for (const std::string phase : {"idle", "healthy", "loaded", "after"}) {
      std::vector<fs::path> files = {stem + "." + phase + ".heap.pb.gz"};
      if (fs::exists(stem + "." + phase + ".heap1.txt")) files.push_back(stem + "." + phase + ".heap1.txt");
      for (const fs::path& f : files) {
        REQUIRE_MESSAGE(fs::exists(f), f.string());
        // Alone, and against the idle profile for rules that need growth.
        auto l = load_heaps({stem + ".idle.heap.pb.gz", f});
        const HeapProfile& now = l->profiles[1];
        std::vector<HeapFinding> alone = find_heap_leaks(now, l->catalog, rules, {});
        std::vector<HeapFinding> grown = find_heap_leaks(now, l->catalog, rules, {}, &l->profiles[0]);
        std::string where = fmt::format("{}: alone{}\n with base idle{}", f.string(),
                                        describe(l->catalog, alone), describe(l->catalog, grown));
        if (healthy_phases.count(phase)) {
          for (const auto* list : {&alone, &grown})
            for (const HeapFinding& h : *list)
              CHECK_MESSAGE(h.severity == RuleSeverity::kInfo, "healthy phase has a finding: ", where);
          ++healthy;
        }
        for (const auto& [rule, site] : wanted[phase]) {
          const Rule* r = rules.find(rule);
          REQUIRE_MESSAGE(r != nullptr, rule);
          auto hit = [&](const std::vector<HeapFinding>& list) {
            return std::any_of(list.begin(), list.end(), [&](const HeapFinding& h) {
              return h.rule == rule && l->catalog.str(h.site.func) == site;
            });
          };
          CHECK_MESSAGE(hit(grown), "no ", rule, " at ", site, ": ", where);
          if (!r->heap.growth.required) CHECK_MESSAGE(hit(alone), "no ", rule, " at ", site, ": ", where);
          fired.insert(rule);
          versions[rule].insert(version);
          ++positive;
        }
      }
    }
  }
  for (const CompiledRule& c : rules.heap_compiled()) {
    CHECK_MESSAGE(fired.count(c.rule->id), c.rule->id, " never fired on the corpus");
    CHECK_MESSAGE(versions[c.rule->id].size() >= 2, c.rule->id, " verified on ",
                  versions[c.rule->id].size(), " Go version(s)");
  }
  MESSAGE(fmt::format("{} heap rules: {} positive checks, {} healthy profiles silent",
                      rules.heap_compiled().size(), positive, healthy));
}

TEST_CASE("heap-time-after knows the Go version: a leak on 1.19 and 1.22, churn on 1.27") {
  for (const std::string v : {"1.19", "1.22", "1.27"}) {
    std::string stem = (corpus_profiles_dir() / ("heap-timeafter.go" + v)).string();
    auto l = load_heaps({stem + ".healthy.heap.pb.gz", stem + ".loaded.heap.pb.gz"});
    const HeapProfile& loaded = l->profiles[1];
    CHECK(loaded.go_version.known());
    CHECK(loaded.go_version.min_minor == std::stoul(v.substr(2)));
    HeapDiff d = diff_heap_profiles({&l->profiles[0], &l->profiles[1]}, l->catalog);
    auto row = std::find_if(d.rows.begin(), d.rows.end(), [&](const HeapDiffRow& r) {
      return r.user_frame >= 0 &&
             l->catalog.str(l->catalog.stacks.get(r.stack).frames[r.user_frame].func) == "main.eventLoop";
    });
    REQUIRE_MESSAGE(row != d.rows.end(), v);
    // Go 1.23 collects the abandoned timers: allocated a lot, holds nothing.
    CHECK_MESSAGE(row->verdict == (v == "1.27" ? HeapVerdict::kChurn : HeapVerdict::kRetained), v);
  }
  // The version from frames alone, without GOROOT paths: Go 1.23+ allocates
  // timers in the runtime's time.newTimer; until 1.22 the runtime's
  // time.startTimer grows the per-P timer heap.
  Catalog c;
  HeapProfile p;
  auto sample = [&](std::string_view top, std::string_view file) {
    Frame f{c.strings.intern(top), c.strings.intern(file), 10, 0};
    HeapSample s;
    s.stack = c.stacks.intern(&f, 1, CreatedBy{}, 0, 0);
    p.samples = {s};
  };
  sample("time.newTimer", "/usr/local/go/src/runtime/time.go");
  CHECK(infer_heap_go_version(p, c).min_minor == 23);
  sample("time.startTimer", "/usr/local/go/src/runtime/time.go");
  CHECK(infer_heap_go_version(p, c).max_minor == 22);
  // time.NewTimer allocates the channel itself in every version: no clue.
  sample("time.NewTimer", "/usr/local/go/src/time/sleep.go");
  CHECK_FALSE(infer_heap_go_version(p, c).known());
}

TEST_CASE("heap diff: retained against churn, stayed against drained") {
  for (const std::string v : {"1.22", "1.27"}) {
    std::string cache = (corpus_profiles_dir() / ("heap-cache.go" + v)).string();
    auto l = load_heaps({cache + ".idle.heap.pb.gz", cache + ".loaded.heap.pb.gz", cache + ".after.heap.pb.gz"});
    HeapDiff d = diff_heap_profiles({&l->profiles[0], &l->profiles[1], &l->profiles[2]}, l->catalog);
    REQUIRE(!d.rows.empty());
    const HeapDiffRow& top = d.rows.front();  // ranked by inuse_space growth
    CHECK(l->catalog.str(l->catalog.stacks.get(top.stack).frames[top.user_frame].func) == "main.(*Cache).Put");
    CHECK(top.status == HeapSiteStatus::kStayed);
    CHECK(top.verdict == HeapVerdict::kRetained);
    CHECK(top.growth[static_cast<size_t>(HeapValue::kInuseSpace)] > (16 << 20));
    // The start-up table is in every profile and never moves.
    for (const HeapDiffRow& r : d.rows)
      if (r.user_frame >= 0 &&
          l->catalog.str(l->catalog.stacks.get(r.stack).frames[r.user_frame].func) == "main.loadTable")
        CHECK(r.verdict == HeapVerdict::kSteady);

    std::string buffer = (corpus_profiles_dir() / ("heap-buffer.go" + v)).string();
    auto b = load_heaps({buffer + ".idle.heap.pb.gz", buffer + ".healthy.heap.pb.gz"});
    HeapDiff twin = diff_heap_profiles({&b->profiles[0], &b->profiles[1]}, b->catalog);
    bool churn = std::any_of(twin.rows.begin(), twin.rows.end(), [&](const HeapDiffRow& r) {
      return r.user_frame >= 0 && r.verdict == HeapVerdict::kChurn &&
             b->catalog.str(b->catalog.stacks.get(r.stack).frames[r.user_frame].func) == "main.recordTwin";
    });
    CHECK_MESSAGE(churn, "no churn at main.recordTwin on ", v);
    for (const HeapDiffRow& r : twin.rows) CHECK(r.verdict != HeapVerdict::kRetained);
  }
}

TEST_CASE("a goroutine dump and a heap profile of one moment: the leak shows the heap it holds") {
  for (const std::string v : {"1.22", "1.27"}) {
    // debug=2: the created-by lines say main.handleRequest started the
    // loops, and the heap profile shows what main.handleRequest allocated.
    std::string name = "heap-ticker.go" + v + ".after";
    Catalog catalog;
    LoadResult dump = load_dump_file(catalog, (corpus_dumps_dir() / (name + ".d2.gz")).string());
    LoadResult heap = load_dump_file(catalog, (corpus_profiles_dir() / (name + ".heap.pb.gz")).string());
    REQUIRE(dump.ok);
    REQUIRE(heap.ok);
    classify(dump.snapshots[0], catalog, builtin_rule_set(), ClassifyOptions{});
    std::vector<HeapRetention> joined = join_goroutine_leaks(dump.snapshots, heap.heap_profiles, catalog);
    // Whichever rule names them (ticker-without-stop reads the source, and
    // without it a receive that never ends is chan-receive-never-closed).
    auto it = std::find_if(joined.begin(), joined.end(), [&](const HeapRetention& r) {
      return catalog.str(dump.snapshots[0].findings[r.finding].site.func) == "main.monitorLoop";
    });
    REQUIRE_MESSAGE(it != joined.end(), v);
    CHECK(dump.snapshots[0].findings[it->finding].count == 4000);
    // The tickers main.handleRequest made hold hundreds of KiB.
    CHECK(it->values[static_cast<size_t>(HeapValue::kInuseSpace)] > (256 << 10));
  }
}

TEST_CASE("debug=1 text: MemStats read and explained, forced GC seen") {
  std::vector<fs::path> files = list_files(corpus_profiles_dir(), ".heap1.txt");
  REQUIRE(!files.empty());
  for (const fs::path& f : files) {
    auto l = load_heaps({f});
    const HeapProfile& p = l->profiles[0];
    REQUIRE(p.memstats.has_value());
    CHECK(p.memstats->fields >= 25);
    CHECK(p.memstats->heap_alloc > 0);
    CHECK(p.memstats->heap_sys == p.memstats->heap_idle + p.memstats->heap_inuse);
    CHECK(p.memstats->max_rss.has_value());
    // regen fetches ?gc=1, which forces a GC.
    CHECK(gc_freshness(p) == GcFreshness::kForcedGc);
    MemStatsReport r = explain_memstats(p);
    CHECK(r.lines.size() >= 7);
    CHECK(!r.notes.empty());
    CHECK(p.sampling_rate > 0);
  }
}
