// A Classifier remembers, from one snapshot to the next, what it worked out
// about each stack and string (classify/classifier.h). That memory must
// never change an answer: every snapshot classified by one long-lived
// Classifier gets exactly the findings a fresh one gives it, whatever came
// before it - other programs, other dump forms, growth information.
#include <doctest/doctest.h>

#include <algorithm>

#include <fmt/format.h>

#include "classify/builtin_rules.h"
#include "classify/classifier.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

std::string describe(const std::vector<Finding>& findings, const Catalog& cat) {
  std::string out;
  auto site = [&](const SourceSite& s) {
    return fmt::format("{}@{}:{}", cat.str(s.func), cat.str(s.file), s.line);
  };
  for (const Finding& f : findings) {
    out += fmt::format("{} {} {} {} n={} [{}] {} wait={}..{} site={}{} top={} by={} grew={}\n",
                       f.rule, f.title, severity_name(f.severity), confidence_name(f.confidence),
                       f.count, f.state, category_name(f.category), f.min_wait, f.max_wait,
                       site(f.site), f.site_in_stdlib ? " (stdlib)" : "", site(f.blocking),
                       site(f.created_by), f.growth_confirmed);
    for (uint32_t g : f.groups) out += fmt::format(" {}", g);
    out += "\n" + f.evidence + "\n" + f.description + "\n" + f.fix + "\n";
  }
  return out;
}

// Every corpus dump, one after another in one catalog, in an order that
// puts debug=1 and debug=2 dumps of the same programs (so the same stacks)
// next to each other.
std::unique_ptr<Loaded> load_all_corpus() {
  std::string all;
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt")) all += read_file(p) + "\n\n";
  std::unique_ptr<Loaded> l = load_text(all);
  REQUIRE(l->result.ok);
  return l;
}

// One rule: a user frame on top of a goroutine the user's code started.
std::unique_ptr<RuleSet> user_started_rule() {
  RuleLoader loader;
  REQUIRE(loader.add_text(
      "rules:\n  - id: user-started\n    title: t\n    severity: high\n    description: d\n"
      "    fix: f\n    match: {frames: [{func: '^main\\.'}], site: top, spawner: user}\n",
      "spawner.yaml"));
  return RuleSet::build(loader.take_rules(), {}, nullptr, loader.roles());
}

}  // namespace

TEST_CASE("classifier: one Classifier across many snapshots answers as a fresh one each time") {
  std::unique_ptr<Loaded> l = load_all_corpus();
  const std::vector<Snapshot>& snaps = l->result.snapshots;
  REQUIRE(snaps.size() > 300);
  ClassifyOptions options;
  Classifier shared(l->catalog, builtin_rule_set(), options);
  size_t with_findings = 0, debug1 = 0;
  for (size_t i = 0; i < snaps.size(); ++i) {
    CAPTURE(i);
    std::vector<Finding> fresh = find_leaks(snaps[i], l->catalog, builtin_rule_set(), options);
    std::vector<Finding> remembered = shared.find_leaks(snaps[i]);
    CHECK(describe(remembered, l->catalog) == describe(fresh, l->catalog));
    with_findings += !fresh.empty();
    debug1 += snaps[i].form == Form::kDebug1;
  }
  // Both forms, and enough findings for the comparison to mean something.
  CHECK(debug1 > 50);
  CHECK(with_findings > snaps.size() / 2);
}

TEST_CASE("classifier: growth information is per call, not remembered") {
  // The built-in rules plus one that only speaks when diffing.
  RuleLoader loader;
  REQUIRE(add_builtin_rules(loader));
  REQUIRE(loader.add_text(
      "rules:\n  - id: growing-sends\n    title: t\n    severity: high\n    description: d\n"
      "    fix: f\n    match: {state: {categories: [chan send]}, min_count: 2, "
      "growth: {min_delta: 2, required: true}}\n",
      "growth.yaml"));
  std::unique_ptr<RuleSet> rules = RuleSet::build(loader.take_rules(), {}, nullptr, loader.roles());
  std::unique_ptr<Loaded> l = load_all_corpus();
  const std::vector<Snapshot>& snaps = l->result.snapshots;
  ClassifyOptions options;
  Classifier shared(l->catalog, *rules, options);
  size_t grew = 0;
  for (size_t i = 0; i < snaps.size(); ++i) {
    CAPTURE(i);
    GrowthInfo all_new;  // every group new since the base dump
    GrowthInfo flat;     // every group as large as in the base dump
    for (const Group& g : snaps[i].groups) flat.previous.push_back(g.count);
    for (const GrowthInfo* growth : {&all_new, &flat, static_cast<GrowthInfo*>(nullptr)}) {
      std::vector<Finding> fresh = find_leaks(snaps[i], l->catalog, *rules, options, growth);
      CHECK(describe(shared.find_leaks(snaps[i], growth), l->catalog) ==
            describe(fresh, l->catalog));
      for (const Finding& f : fresh) grew += f.growth_confirmed;
    }
  }
  CHECK(grew > 0);
}

TEST_CASE("classifier: a stack's verdict in a debug=1 profile is not reused for debug=2") {
  // The same stack, without a created-by line, in both forms. debug=1 never
  // prints that line, so a spawner condition falls back on the entry
  // function there; a debug=2 goroutine without it has no known spawner.
  const std::string debug1 =
      "goroutine profile: total 3\n"
      "3 @ 0x43c70e 0x40646d 0x681baf 0x472c21\n"
      "#\t0x681bae\tmain.fetchFirst.func1+0x2e\t/app/main.go:33\n\n";
  const std::string debug2 =
      "goroutine 7 [chan send]:\n"
      "main.fetchFirst.func1()\n"
      "\t/app/main.go:33 +0x2e\n\n"
      "goroutine 8 [chan send]:\n"
      "main.fetchFirst.func1()\n"
      "\t/app/main.go:33 +0x2e\n";
  std::unique_ptr<RuleSet> rules = user_started_rule();
  for (bool debug1_first : {true, false}) {
    CAPTURE(debug1_first);
    std::unique_ptr<Loaded> l =
        load_text(debug1_first ? debug1 + debug2 : debug2 + "\n" + debug1);
    const std::vector<Snapshot>& snaps = l->result.snapshots;
    REQUIRE(snaps.size() == 2);
    REQUIRE(snaps[0].groups.size() == 1);
    REQUIRE(snaps[1].groups.size() == 1);
    REQUIRE(snaps[0].groups[0].stack == snaps[1].groups[0].stack);
    ClassifyOptions options;
    Classifier shared(l->catalog, *rules, options);
    for (const Snapshot& s : snaps) {
      std::vector<Finding> fresh = find_leaks(s, l->catalog, *rules, options);
      CHECK(fresh.size() == (s.form == Form::kDebug1 ? 1u : 0u));
      CHECK(describe(shared.find_leaks(s), l->catalog) == describe(fresh, l->catalog));
    }
  }
}

TEST_CASE("classifier: a rule meets only stacks holding the function it needs; other conditions see every group") {
  const std::string dump =
      "goroutine 7 [chan send]:\n"
      "main.worker()\n"
      "\t/app/worker.go:12 +0x2e\n"
      "created by main.main in goroutine 1\n"
      "\t/app/main.go:9 +0x25\n\n"
      "goroutine 8 [chan receive]:\n"
      "main.other()\n"
      "\t/app/other.go:30 +0x2e\n"
      "created by main.main in goroutine 1\n"
      "\t/app/main.go:10 +0x25\n";
  struct Case {
    std::string id, frames;
    bool listed;                        // has a function pattern it needs
    std::vector<std::string> matches;  // top functions of the groups it finds
  };
  const std::vector<Case> cases = {
      {"top-worker", "{in: top, func: '^main\\.worker$'}", true, {"main.worker"}},
      {"worker-elsewhere", "{func: '^main\\.worker$', file: 'nowhere\\.go$'}", true, {}},
      {"absent-then-other", "{func: '^main\\.absent$', not: true}, {func: 'other'}", true,
       {"main.other"}},
      // Negated, on the created-by line, or on the file alone: unlisted,
      // so every group meets them.
      {"not-absent", "{func: '^main\\.absent$', not: true}", false, {"main.other", "main.worker"}},
      {"by-main", "{in: created_by, func: '^main\\.main$'}", false, {"main.other", "main.worker"}},
      {"worker-file", "{file: 'worker\\.go$'}", false, {"main.worker"}},
  };
  auto rule_text = [](const Case& c) {
    return fmt::format(
        "  - id: {}\n    title: t\n    severity: high\n    description: d\n    fix: f\n"
        "    match: {{frames: [{}]}}\n",
        c.id, c.frames);
  };
  std::unique_ptr<Loaded> l = load_text(dump);
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  REQUIRE(s.groups.size() == 2);
  std::string all = "rules:\n";
  for (const Case& c : cases) {
    CAPTURE(c.id);
    all += rule_text(c);
    RuleLoader loader;
    REQUIRE(loader.add_text("rules:\n" + rule_text(c), "one.yaml"));
    std::unique_ptr<RuleSet> rules = RuleSet::build(loader.take_rules(), {}, nullptr, {});
    REQUIRE(rules->compiled().size() == 1);
    CHECK((rules->compiled()[0].needs_func >= 0) == c.listed);
    std::vector<std::string> tops;
    for (const Finding& f : find_leaks(s, l->catalog, *rules, ClassifyOptions{}))
      for (uint32_t g : f.groups)
        tops.emplace_back(l->catalog.str(l->catalog.stacks.get(s.groups[g].stack).frames[0].func));
    std::sort(tops.begin(), tops.end());
    CHECK(tops == c.matches);
  }
  // Two rules that need one pattern are listed under it together.
  RuleLoader loader;
  REQUIRE(loader.add_text(all, "all.yaml"));
  std::unique_ptr<RuleSet> rules = RuleSet::build(loader.take_rules(), {}, nullptr, {});
  REQUIRE(rules->compiled().size() == cases.size());
  CHECK(rules->compiled()[0].needs_func == rules->compiled()[1].needs_func);
  CHECK(rules->compiled()[2].needs_func != rules->compiled()[0].needs_func);
}

TEST_CASE("classifier: a library function that starts the user's own function spawns for the user") {
  // time.AfterFunc runs its callback in a goroutine created by time.goFunc:
  // the goroutine is the user's function, started once per call. net/http's
  // connection goroutines start in net/http, whatever handler they run; and
  // with frames elided the last frame shown is not the goroutine's entry.
  std::unique_ptr<RuleSet> rules = user_started_rule();
  auto matches = [&](const std::string& dump) {
    std::unique_ptr<Loaded> l = load_text(dump);
    REQUIRE(l->result.snapshots.size() == 1);
    return find_leaks(l->result.snapshots[0], l->catalog, *rules, ClassifyOptions{}).size();
  };
  CHECK(matches("goroutine 9 [chan send]:\n"
                "main.(*Dispatcher).hand(...)\n\t/app/main.go:12\n"
                "main.remind.func1()\n\t/app/main.go:30 +0x31\n"
                "created by time.goFunc\n\t/usr/lib/go/src/time/sleep.go:177 +0x2d\n") == 1);
  CHECK(matches("goroutine 9 [chan send]:\n"
                "main.handle({0x7f, 0xc0}, 0xc000)\n\t/app/main.go:40 +0x31\n"
                "net/http.HandlerFunc.ServeHTTP(0x0?, {0x7f, 0xc0}, 0xc000)\n"
                "\t/usr/lib/go/src/net/http/server.go:2171 +0x29\n"
                "net/http.(*conn).serve({0x7f, 0xc0})\n\t/usr/lib/go/src/net/http/server.go:2099 +0x5cd\n"
                "created by net/http.(*Server).Serve in goroutine 1\n"
                "\t/usr/lib/go/src/net/http/server.go:3285 +0x4b4\n") == 0);
  CHECK(matches("goroutine 9 [chan send]:\n"
                "main.walk(0x1)\n\t/app/main.go:50 +0x31\n"
                "...additional frames elided...\n"
                "created by time.goFunc\n\t/usr/lib/go/src/time/sleep.go:177 +0x2d\n") == 0);
}
