// The built-in rules against real dumps. Ground truth comes from the corpus
// programs' .expect files (`rule=ID count=N site=FUNC`, written by the
// programs after counting their own goroutines): every rule row must come out
// as a finding with exactly that rule, count and leak-site function, on every
// Go version and dump form that can show it, and nothing else above `info`
// may appear - in particular not on the healthy programs.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "classify/classifier.h"
#include "classify/rule_loader.h"
#include "classify/rule_set.h"
#include "classify/source_lookup.h"
#include "test_support.h"

using namespace gorleak;
namespace fs = std::filesystem;

namespace {

struct Classified {
  std::unique_ptr<test::Loaded> loaded;
  std::vector<const Finding*> findings;  // over all snapshots
  std::string func(const Finding& f) const { return std::string(loaded->catalog.str(f.site.func)); }
  std::string describe() const {
    std::string out;
    for (const Finding* f : findings)
      out += fmt::format("\n  {} count={} site={} severity={} confidence={}", f->rule, f->count, func(*f),
                         severity_name(f->severity), confidence_name(f->confidence));
    return out.empty() ? " (no findings)" : out;
  }
  // `count` is the ground truth's goroutines at the site; a rule with a
  // unit (an unread body: readLoop + writeLoop) counts it as units.
  const Finding* find(const std::string& rule, uint64_t count, const std::string& site) const {
    for (const Finding* f : findings)
      if (f->rule == rule && (f->units > 0 ? f->units : f->count) == count && func(*f) == site) return f;
    return nullptr;
  }
};

Classified classify_file(const fs::path& p, const std::vector<std::string>& roots = {}) {
  Classified c;
  c.loaded = test::load(p);
  REQUIRE_MESSAGE(c.loaded->result.ok, p.string());
  SourceLookup source(roots);
  ClassifyOptions opt;
  opt.source = &source;
  for (Snapshot& s : c.loaded->result.snapshots) classify(s, c.loaded->catalog, test::builtin_rule_set(), opt);
  for (const Snapshot& s : c.loaded->result.snapshots)
    for (const Finding& f : s.findings) c.findings.push_back(&f);
  return c;
}

// Rules whose evidence is in the frames (sync.*, time.Sleep, net/http,
// database/sql, os/exec), so they also work on debug=1 dumps, which print
// no state. Channel-shaped rules need the state and leave debug=1 to the
// generic blocked-concentration detector.
const std::set<std::string> kFrameRules = {
    "mutex-pileup",          "waitgroup-never-done", "cond-wait-forever",
    "sleep-poller",          "exec-cmd-not-waited",  "sql-rows-not-closed",
    "sql-pool-exhausted",    "unclosed-response-body", "http-client-no-timeout"};

// Programs that exist to exercise the parser (every state, labels, the
// creation tree): their blocked goroutines carry no leak ground truth.
const std::set<std::string> kFixtures = {"states", "labels", "spawn-tree"};

struct ExpectedLeak {
  std::string rule, site;
  uint64_t count = 0;
  bool gc_leak = false;
};

struct PhaseTruth {
  std::vector<ExpectedLeak> leaks;  // count > 0 only
  bool healthy = false;
};

struct DumpSet {
  std::string program, version;
  std::map<std::string, PhaseTruth> phases;  // "" when the program has none
};

std::vector<DumpSet> read_corpus() {
  std::vector<DumpSet> out;
  for (const fs::path& e : test::list_files(test::corpus_dumps_dir(), ".expect")) {
    std::string name = e.filename().string();
    size_t go = name.find(".go");
    if (go == std::string::npos) continue;
    DumpSet d;
    d.program = name.substr(0, go);
    d.version = name.substr(go + 3, name.size() - go - 3 - std::string(".expect").size());
    for (const auto& row : test::read_expect(e)) {
      std::map<std::string, std::string> kv(row.begin(), row.end());
      PhaseTruth& t = d.phases[kv["phase"]];
      if (kv.count("healthy")) t.healthy = true;
      if (!kv.count("rule")) continue;
      ExpectedLeak l{kv["rule"], kv["site"], std::stoull(kv["count"]), kv.count("gc_leak") > 0};
      if (l.count > 0) t.leaks.push_back(l);
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::pair<std::string, fs::path>> dumps_of(const DumpSet& d, const std::string& phase) {
  std::vector<std::pair<std::string, fs::path>> out;
  std::string prefix = d.program + ".go" + d.version + "." + (phase.empty() ? "" : phase + ".");
  for (const char* form : {"debug1", "debug2", "sigquit", "leak1", "leak2"}) {
    fs::path p = test::corpus_dumps_dir() / (prefix + form + ".txt");
    if (fs::exists(p)) out.emplace_back(form, p);
  }
  return out;
}

}  // namespace

TEST_CASE("every built-in rule finds its leaks in the real corpus, exactly") {
  std::vector<DumpSet> corpus = read_corpus();
  if (corpus.empty()) {
    MESSAGE("corpus/dumps has no .expect files yet: skipped");
    return;
  }
  // rule -> Go versions on which a positive dump was verified.
  std::map<std::string, std::set<std::string>> verified;
  for (const DumpSet& d : corpus) {
    for (const auto& [phase, truth] : d.phases) {
      // The program's folder; a variant (svc-session-leak) runs the
      // program of its base name (svc-session).
      fs::path program = test::source_dir() / "corpus/programs" / d.program;
      if (!fs::exists(program) && d.program.rfind('-') != std::string::npos)
        program = test::source_dir() / "corpus/programs" / d.program.substr(0, d.program.rfind('-'));
      std::vector<std::string> roots = {program.string()};
      for (const auto& [form, path] : dumps_of(d, phase)) {
        Classified c = classify_file(path, roots);
        std::string where = fmt::format("{}{}", path.filename().string(), c.describe());
        // Positives.
        for (const ExpectedLeak& l : truth.leaks) {
          std::string rule = l.rule;
          if (form == "debug1" && !kFrameRules.count(l.rule)) continue;
          if (form == "leak1" && !l.gc_leak) continue;
          const Finding* f = c.find(rule, l.count, l.site);
          if (!f && form == "leak1" && !kFrameRules.count(l.rule)) {
            // The debug=1 goroutineleak profile lists only proven leaks and
            // prints no state: frame rules still name them, and so do the
            // channel rules when the source line shows the operation; the
            // rest is runtime-reported-leak.
            rule = "runtime-reported-leak";
            f = c.find(rule, l.count, l.site);
          }
          CHECK_MESSAGE(f != nullptr, fmt::format("want {} count={} site={} in {}", rule, l.count, l.site, where));
          if (f) {
            verified[rule].insert(d.version);
            CHECK_MESSAGE(f->severity > RuleSeverity::kInfo, where);
            // A (leaked) mark in the dump is proof: the confidence, the
            // evidence level and the severity say so.
            if (l.gc_leak && (form == "leak2" || form == "leak1")) {
              CHECK_MESSAGE(f->confidence == Confidence::kHigh, where);
              CHECK_MESSAGE(f->evidence_level == EvidenceLevel::kProof, where);
              CHECK_MESSAGE(f->severity == RuleSeverity::kCritical, where);
            }
            CHECK_MESSAGE(!f->evidence_basis.empty(), where);
          }
        }
        // Negatives: no alarm (medium or above) that the ground truth does
        // not name; one dump may still suggest (low) what only a series can
        // confirm.
        if (kFixtures.count(d.program)) continue;
        for (const Finding* f : c.findings) {
          if (f->severity < RuleSeverity::kMedium) continue;
          bool expected = std::any_of(truth.leaks.begin(), truth.leaks.end(), [&](const ExpectedLeak& l) {
            bool generic = f->rule == "runtime-reported-leak" || f->rule == "blocked-concentration";
            return (f->rule == l.rule || generic) && c.func(*f) == l.site &&
                   (f->units > 0 ? f->units : f->count) == l.count;
          });
          CHECK_MESSAGE(expected, fmt::format("unexpected {} site={} count={} in {}", f->rule, c.func(*f),
                                              f->count, where));
          if (truth.healthy) CHECK_MESSAGE(false, fmt::format("healthy dump has a finding: {}", where));
        }
      }
    }
  }
  // Every named rule verified on real dumps from at least two Go versions.
  for (const Rule& r : test::builtin_rule_set().rules()) {
    if (r.id == "blocked-concentration") continue;  // its own test below
    if (r.heap.present) continue;  // heap rules: tests/test_heap_rules.cpp
    CHECK_MESSAGE(verified[r.id].size() >= 2,
                  fmt::format("{} verified on {} Go version(s)", r.id, verified[r.id].size()));
  }
}

TEST_CASE("blocked-concentration: channel leaks in debug=1 dumps, on every Go version") {
  auto sends = test::list_files(test::corpus_dumps_dir(), "send-leak.go");
  int checked = 0;
  for (const fs::path& p : sends) {
    std::string n = p.filename().string();
    if (n.find(".debug1.txt") == std::string::npos || n.find("series") == 0) continue;
    Classified c = classify_file(p);
    const Finding* f = c.find("blocked-concentration", 50, "main.fetchFirst.func1");
    CHECK_MESSAGE(f != nullptr, std::string(n + c.describe()));
    if (f) {
      CHECK(f->confidence == Confidence::kLow);
      CHECK(f->severity == RuleSeverity::kLow);
    }
    ++checked;
  }
  if (checked == 0) MESSAGE("no send-leak debug1 dumps yet: skipped");
  // The same goroutines in debug=2 belong to the named rule, not the
  // generic one: named rules claim groups first.
  for (const fs::path& p : test::list_files(test::corpus_dumps_dir(), "send-leak.go1.27.debug2")) {
    Classified c = classify_file(p);
    for (const Finding* f : c.findings) CHECK(f->rule != "blocked-concentration");
  }
}

TEST_CASE("without --source-root: ticker and ctx loops fall back, time.After is unconfirmed") {
  fs::path ticker = test::corpus_dumps_dir() / "ticker-leak.go1.22.debug2.txt";
  fs::path after = test::corpus_dumps_dir() / "time-after-loop.go1.22.debug2.txt";
  if (!fs::exists(ticker) || !fs::exists(after)) {
    MESSAGE("ticker-leak / time-after-loop dumps missing: skipped");
    return;
  }
  Classified t = classify_file(ticker);
  CHECK_MESSAGE(t.find("chan-receive-never-closed", 37, "main.monitorLoop") != nullptr, t.describe());
  for (const Finding* f : t.findings) CHECK(f->rule != "ticker-without-stop");  // dropped, not duplicated

  Classified a = classify_file(after);
  const Finding* f = a.find("time-after-in-loop", 3, "main.eventLoop");
  REQUIRE_MESSAGE(f != nullptr, a.describe());
  CHECK(f->confidence == Confidence::kUnconfirmed);
  CHECK(f->severity == RuleSeverity::kInfo);
  CHECK(f->evidence.find("--source-root") != std::string::npos);

  // With the source, the select line is read and quoted.
  Classified s = classify_file(after, {(test::source_dir() / "corpus/programs/time-after-loop").string()});
  f = s.find("time-after-in-loop", 3, "main.eventLoop");
  REQUIRE_MESSAGE(f != nullptr, s.describe());
  CHECK(f->confidence == Confidence::kMedium);
  CHECK(f->evidence.find("time.After(") != std::string::npos);
  // The same program's healthy ticker loop has a select but no time.After.
  Classified h = classify_file(test::corpus_dumps_dir() / "healthy-ticker.go1.22.debug2.txt",
                               {(test::source_dir() / "corpus/programs/healthy-ticker").string()});
  for (const Finding* g : h.findings) CHECK(g->rule != "time-after-in-loop");
}

TEST_CASE("stdlib-only leaks name the entry point and say how to find the caller") {
  fs::path p = test::corpus_dumps_dir() / "body-leak.go1.22.debug2.txt";
  if (!fs::exists(p)) return;
  Classified c = classify_file(p);
  const Finding* f = c.find("unclosed-response-body", 23, "net/http.(*persistConn).readLoop");
  REQUIRE_MESSAGE(f != nullptr, c.describe());
  CHECK(f->site_in_stdlib);
  CHECK(c.loaded->catalog.str(f->created_by.func) == "net/http.(*Transport).dialConn");
  CHECK(f->evidence.find("GODEBUG=tracebackancestors=5") != std::string::npos);
  CHECK(f->evidence.find("resp.Body.Close()") != std::string::npos);
  CHECK_FALSE(f->fix.empty());
  // In the user's unit: 23 bodies, each holding its readLoop and, folded in
  // as a companion, its writeLoop.
  CHECK(f->units == 23);
  CHECK(f->unit == "response bodies never closed");
  CHECK(f->count == 46);
  REQUIRE(f->groups.size() == 2);
  CHECK(c.loaded->catalog.str(c.loaded->catalog.stacks.get(c.loaded->result.snapshots[0].groups[f->groups[1]].stack)
                                  .frames[0].func) == "net/http.(*persistConn).writeLoop");
}

TEST_CASE("findings are sorted most severe, then largest, deterministically") {
  fs::path p = test::corpus_dumps_dir() / "states.go1.22.debug2.txt";
  if (!fs::exists(p)) return;
  Classified c = classify_file(p);
  REQUIRE(c.findings.size() > 3);
  for (size_t i = 1; i < c.findings.size(); ++i) {
    const Finding& a = *c.findings[i - 1];
    const Finding& b = *c.findings[i];
    CHECK((a.severity > b.severity || (a.severity == b.severity && a.count >= b.count)));
  }
  CHECK(c.findings[0]->rule == "nil-channel");
  CHECK(c.findings[0]->count == 8);
  Classified again = classify_file(p);
  REQUIRE(again.findings.size() == c.findings.size());
  for (size_t i = 0; i < c.findings.size(); ++i) {
    CHECK(again.findings[i]->rule == c.findings[i]->rule);
    CHECK(again.func(*again.findings[i]) == c.func(*c.findings[i]));
  }
}

TEST_CASE("growth conditions: checked with growth info, ignored without") {
  fs::path loaded = test::corpus_dumps_dir() / "series-send-leak.go1.27.loaded.debug2.txt";
  if (!fs::exists(loaded)) return;
  auto make = [](const std::string& id, const std::string& growth) {
    RuleLoader loader;
    bool ok = loader.add_text("rules:\n  - id: " + id +
                                  "\n    title: t\n    severity: high\n    description: d\n    fix: f\n"
                                  "    match: {state: {categories: [chan send]}, site: top, min_count: 5, "
                                  "growth: " + growth + "}\n",
                              id + ".yaml");
    REQUIRE(ok);
    return RuleSet::build(loader.take_rules(), {}, nullptr, loader.roles());
  };
  auto optional_growth = make("growing-sends", "{min_delta: 20}");
  auto required_growth = make("only-when-diffing", "{min_delta: 20, required: true}");
  auto l = test::load(loaded);
  REQUIRE(l->result.ok);
  const Snapshot& s = l->result.snapshots.at(0);
  ClassifyOptions opt;

  // One dump: the optional growth condition is ignored, the required one
  // keeps its rule silent.
  std::vector<Finding> single = find_leaks(s, l->catalog, *optional_growth, opt, nullptr);
  REQUIRE(single.size() == 1);
  CHECK(single[0].count == 74);
  CHECK_FALSE(single[0].growth_confirmed);
  CHECK(find_leaks(s, l->catalog, *required_growth, opt, nullptr).empty());

  GrowthInfo grew;  // everything new since the base dump
  grew.previous.assign(s.groups.size(), 0);
  for (const auto* set : {optional_growth.get(), required_growth.get()}) {
    std::vector<Finding> diffed = find_leaks(s, l->catalog, *set, opt, &grew);
    REQUIRE(diffed.size() == 1);
    CHECK(diffed[0].growth_confirmed);
    CHECK(diffed[0].evidence.find("Grew from 0 to 74") != std::string::npos);
  }

  GrowthInfo flat;  // same counts in the base dump: no growth, no finding
  for (const Group& g : s.groups) flat.previous.push_back(g.count);
  CHECK(find_leaks(s, l->catalog, *optional_growth, opt, &flat).empty());
  GrowthInfo small;  // +10 is below min_delta 20
  for (const Group& g : s.groups) small.previous.push_back(g.count > 10 ? g.count - 10 : 0);
  CHECK(find_leaks(s, l->catalog, *optional_growth, opt, &small).empty());
}

TEST_CASE("public corpus: healthy dumps give nothing above info; a real leak is found") {
  if (!test::shared_available()) {
    MESSAGE("../shared/corpus-public not present: skipped");
    return;
  }
  fs::path dir = test::shared_dir() / "corpus-public";
  // Healthy per SOURCES.md: a healthy erigon node, goleak's healthy http
  // fixtures, a student raft KV, demo-program fixtures, a course exercise.
  std::vector<std::string> healthy = {"erigon-cdk-debug2-go121.txt", "raft-kv-windows-debug2-go124.txt",
                                      "concat-debug1-x8-cyrillic.txt"};
  for (const auto& p : test::list_files(dir, "goleak-http")) healthy.push_back(p.filename().string());
  for (const auto& p : test::list_files(dir, "gostackparse-")) healthy.push_back(p.filename().string());
  for (const auto& name : healthy) {
    if (!fs::exists(dir / name)) continue;
    Classified c = classify_file(dir / name);
    for (const Finding* f : c.findings)
      CHECK_MESSAGE(f->severity == RuleSeverity::kInfo, std::string(name + c.describe()));
  }
  // 5067 of 5171 goroutines parked at one user-code receive, per SOURCES.md:
  // LeakProf's shape, in a debug=1 dump with no state printed.
  fs::path erigon = dir / "erigon-txgaslogger-5171-debug1.txt";
  if (fs::exists(erigon)) {
    Classified c = classify_file(erigon);
    const Finding* f =
        c.find("blocked-concentration", 5067, "github.com/ledgerwatch/erigon/zk/utils.(*TxGasLogger).Start.func1");
    CHECK_MESSAGE(f != nullptr, c.describe());
    // No ids in debug=1, but 5067 at one site is no pool: an alarm.
    if (f) CHECK(f->severity >= RuleSeverity::kMedium);
  }
}
