// Rule files: every kind of bad file gets its exact `file:line:col: message`,
// nothing is half-loaded, and the engine's parts (pattern sets, leak sites,
// source lookup, ignore lists) do what the rules rely on, on real dumps.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "classify/builtin_rules.h"
#include "classify/classifier.h"
#include "classify/ignore_list.h"
#include "classify/leak_site.h"
#include "classify/rule_loader.h"
#include "classify/rule_set.h"
#include "classify/source_lookup.h"
#include "test_support.h"

using namespace gorleak;
namespace fs = std::filesystem;

namespace {

// A valid rule with one line to vary, so each test shows only what it breaks.
std::string rule_file(const std::string& extra_rule_lines, const std::string& match = "{leaked: true}") {
  return "rules:\n"
         "  - id: my-rule\n"
         "    title: A title\n"
         "    severity: high\n"
         "    description: what happens\n"
         "    fix: what to do\n" +
         extra_rule_lines + "    match: " + match + "\n";
}

std::string first_error(const std::string& text, const std::string& name = "r.yaml") {
  RuleLoadResult r = parse_rule_text(text, name);
  if (r.ok()) return "";
  CHECK(r.rules.empty());  // nothing half-loaded
  return r.diagnostics.front().format();
}

}  // namespace

TEST_CASE("a valid rule file loads every field") {
  std::string text =
      "rules:\n"
      "  - id: custom-wait\n"
      "    title: Custom\n"
      "    severity: critical\n"
      "    confidence: low\n"
      "    priority: 70\n"
      "    description: d\n"
      "    fix: f\n"
      "    caller_hint: h\n"
      "    match:\n"
      "      state: {categories: [chan receive, select], reason: '^chan', strict: true}\n"
      "      frames:\n"
      "        - {in: top, depth: 3, func: 'x\\.y', file: 'z\\.go$'}\n"
      "        - {in: created_by, func: '^main\\.', not: true}\n"
      "      min_wait_minutes: 5\n"
      "      min_count: 7\n"
      "      count_by: group\n"
      "      growth: {min_delta: 4, required: true}\n"
      "      source: {pattern: 'time\\.After', frame: top, before: 1, after: 2, unconfirmed_severity: low,\n"
      "               in_loop: true, refute_only: true}\n"
      "      site: user\n"
      "      spawner: user\n"
      "    examples:\n"
      "      - {dump: a.txt, expect: {count: 3, site: main.f, confidence: low}, source_root: src, module: example.com/x}\n"
      "      - {snippet: 'goroutine 1 [running]:', expect: none}\n";
  RuleLoadResult r = parse_rule_text(text, "ok.yaml");
  REQUIRE(r.ok());
  REQUIRE(r.rules.size() == 1);
  const Rule& rule = r.rules[0];
  CHECK(rule.id == "custom-wait");
  CHECK(rule.severity == RuleSeverity::kCritical);
  CHECK(rule.confidence == Confidence::kLow);
  CHECK(rule.priority == 70);
  CHECK(rule.caller_hint == "h");
  CHECK(rule.origin.file == "ok.yaml");
  CHECK(rule.origin.line == 2);
  const MatchSpec& m = rule.match;
  REQUIRE(m.state.categories.size() == 2);
  CHECK(m.state.categories[1] == StateCategory::kSelect);
  CHECK(m.state.reason == "^chan");
  CHECK(m.state.strict);
  REQUIRE(m.frames.size() == 2);
  CHECK(m.frames[0].scope == FrameScope::kTop);
  CHECK(m.frames[0].depth == 3);
  CHECK(m.frames[0].file == "z\\.go$");
  CHECK(m.frames[1].scope == FrameScope::kCreatedBy);
  CHECK(m.frames[1].negate);
  CHECK(m.min_wait_minutes == 5);
  CHECK(m.min_count == 7);
  CHECK(m.count_by == CountBy::kGroup);
  CHECK(m.growth.present);
  CHECK(m.growth.min_delta == 4);
  CHECK(m.growth.required);
  CHECK(m.source.present);
  CHECK(m.source.frame == SourceFrame::kTop);
  CHECK(m.source.after == 2);
  CHECK(m.source.unconfirmed_severity == RuleSeverity::kLow);
  CHECK(m.source.in_loop);
  CHECK(m.source.refute_only);
  CHECK(m.site == SiteKind::kUser);
  CHECK(m.spawner == SpawnerKind::kUser);
  REQUIRE(rule.examples.size() == 2);
  CHECK(rule.examples[0].count == 3);
  CHECK(rule.examples[0].site == "main.f");
  CHECK(rule.examples[0].confidence == "low");
  CHECK(rule.examples[0].source_roots == std::vector<std::string>{"src"});
  CHECK(rule.examples[1].expect_none);
}

TEST_CASE("unknown field: file:line:col of the key") {
  CHECK(first_error(rule_file("    colour: red\n")) ==
        "r.yaml:7:5: unknown field 'colour' in a rule (known: id, title, severity, confidence, "
        "description, fix, caller_hint, priority, match, heap, lookalike, unit, counter_evidence, "
            "waits_for, fixed_in_go, examples)");
  CHECK(first_error(rule_file("", "{min_cont: 3, leaked: true}")) ==
        "r.yaml:7:13: unknown field 'min_cont' in 'match' (known: state, frames, min_wait_minutes, "
        "min_count, count_by, growth, source, site, spawner, leaked)");
  CHECK(first_error("rule:\n  - id: x\n") ==
        "r.yaml:1:1: unknown field 'rule' in the file (known: rules, request_handlers, client_watchers)");
}

TEST_CASE("wrong type: file:line:col of the value") {
  CHECK(first_error(rule_file("", "{min_count: [2], leaked: true}")) ==
        "r.yaml:7:24: 'min_count' must be a whole number, got a list");
  CHECK(first_error(rule_file("", "{min_count: -3, leaked: true}")) ==
        "r.yaml:7:24: 'min_count' must be a whole number, got '-3'");
  CHECK(first_error(rule_file("", "{leaked: yes}")) == "r.yaml:7:21: 'leaked' must be true or false");
  CHECK(first_error(rule_file("", "{leaked: true, source: {pattern: x, refute_only: 1}}")) ==
        "r.yaml:7:61: 'refute_only' must be true or false");
  CHECK(first_error(rule_file("    caller_hint: {a: b}\n")) ==
        "r.yaml:7:18: 'caller_hint' must be a string, got a map");
  CHECK(first_error(rule_file("    title: again\n")) == "r.yaml:7:5: field 'title' given twice in a rule");
  CHECK(first_error("rules: {a: b}\n") == "r.yaml:1:8: 'rules' must be a list, got a map");
  CHECK(first_error(rule_file("", "{state: {categories: [chan recv]}}")) ==
        "r.yaml:7:34: unknown state category 'chan recv' (known: chan receive, chan send, select, "
        "semacquire, IO wait, syscall, sleep, running, runnable, runtime, other, unknown)");
  CHECK(first_error(rule_file("    confidence: certain\n")) ==
        "r.yaml:7:17: unknown confidence 'certain' (unconfirmed, low, medium, high)");
}

TEST_CASE("invalid RE2 carries RE2's own message") {
  CHECK(first_error(rule_file("", "\n      frames:\n        - {func: '(unclosed'}")) ==
        "r.yaml:9:18: invalid regular expression in 'func': missing ): (unclosed");
  CHECK(first_error(rule_file("", "{state: {reason: 'a**'}}")) ==
        "r.yaml:7:29: invalid regular expression in 'reason': bad repetition operator: **");
  // Perl lookahead is not RE2: rejected at load, not at match time.
  CHECK(first_error(rule_file("", "\n      frames:\n        - {file: '(?=x)'}")) ==
        "r.yaml:9:18: invalid regular expression in 'file': invalid perl operator: (?=");
}

TEST_CASE("duplicate ids: within a file and across files") {
  std::string one = rule_file("");
  std::string two = one + one.substr(std::string("rules:\n").size());
  CHECK(first_error(two) == "r.yaml:8:9: duplicate rule id 'my-rule' (first defined at r.yaml:2:5)");

  RuleLoader loader;
  CHECK(loader.add_text(one, "a.yaml"));
  CHECK_FALSE(loader.add_text(one, "b.yaml"));
  REQUIRE(loader.diagnostics().size() == 1);
  CHECK(loader.diagnostics()[0].format() ==
        "b.yaml:2:5: duplicate rule id 'my-rule' (first defined at a.yaml:2:5)");
  CHECK(loader.rules().size() == 1);  // b.yaml added nothing
}

TEST_CASE("nothing is half-loaded: one bad rule rejects its whole file") {
  std::string good = rule_file("");
  std::string text = good + "  - id: second\n    title: t\n    severity: loud\n";
  RuleLoadResult r = parse_rule_text(text, "half.yaml");
  CHECK_FALSE(r.ok());
  CHECK(r.rules.empty());
  CHECK(r.diagnostics[0].format() ==
        "half.yaml:10:15: unknown severity 'loud' (info, low, medium, high, critical)");
}

TEST_CASE("missing fields point at the map that lacks them") {
  CHECK(first_error("rules:\n  - id: a\n    title: t\n") == "r.yaml:2:5: missing field 'severity' in a rule");
  CHECK(first_error(rule_file("", "{min_count: 3}")) ==
        "r.yaml:7:12: 'match' needs at least one of 'state', 'frames' or 'leaked'");
  CHECK(first_error(rule_file("", "{leaked: true}\n    examples:\n      - {expect: none}")) ==
        "r.yaml:9:9: an example needs exactly one of 'dump' or 'snippet'");
}

TEST_CASE("hostile files: anchors, aliases, deep nesting, huge size, YAML syntax") {
  CHECK(first_error("rules:\n  - &base\n    id: a\n") ==
        "r.yaml:2:5: YAML anchors (&name) are not allowed in rule files");
  CHECK(first_error("a: &x [1]\nrules:\n  - *x\n") ==
        "r.yaml:1:4: YAML anchors (&name) are not allowed in rule files");
  CHECK(first_error("rules:\n  - *x\n").find("r.yaml:2:5: ") == 0);
  std::string deep = "rules: " + std::string(40, '[') + std::string(40, ']') + "\n";
  CHECK(first_error(deep) == "r.yaml:1:39: nesting deeper than 32 levels");
  std::string huge(kMaxRuleFileBytes + 1, '#');
  CHECK(first_error(huge) == "r.yaml: rule file is 4194305 bytes, more than the 4 MiB limit");
  CHECK(first_error("rules:\n  - id: a\n   title: t\n") ==
        "r.yaml:3:4: YAML syntax error: end of sequence not found");
  CHECK(first_error("") == "r.yaml: no 'rules:' list in the file");
  CHECK(first_error("rules: []\n---\nrules: []\n") == "r.yaml:3:1: a rule file holds one YAML document");
  // Control characters in user text are escaped: a diagnostic stays one line.
  CHECK(first_error("rules:\n  - id: \"a\\nb\"\n") ==
        "r.yaml:2:9: rule id 'a\\nb' must be 1-64 of a-z, 0-9, '-', '_'");
}

TEST_CASE("the same limits apply to files on disk, with the path in the message") {
  fs::path dir = fs::temp_directory_path() / "gorleak-rules-loader-test";
  fs::create_directories(dir);
  fs::path big = dir / "big.yaml";
  {
    std::ofstream out(big);
    out << std::string(kMaxRuleFileBytes + 10, '#');
  }
  RuleLoader loader;
  CHECK_FALSE(loader.add_path(big.string()));
  CHECK(loader.diagnostics()[0].format() ==
        big.string() + ": rule file is 4194314 bytes, more than the 4 MiB limit");
  fs::remove_all(dir);
}

TEST_CASE("built-in rules: all load, ids unique, every rule documented and exemplified") {
  RuleLoader loader;
  REQUIRE(loader.add_path((test::source_dir() / "rules").string(), true));
  std::vector<std::string> ids;
  for (const Rule& r : loader.rules()) {
    ids.push_back(r.id);
    CHECK_MESSAGE(r.description.find("hreshold") != std::string::npos, r.id);
    CHECK_MESSAGE(!r.examples.empty(), r.id);
  }
  for (const char* want :
       {"ticker-without-stop", "time-after-in-loop", "unclosed-response-body", "http-client-no-timeout",
        "chan-send-blocked", "chan-receive-never-closed", "nil-channel", "select-no-cases",
        "mutex-pileup", "waitgroup-never-done", "cond-wait-forever", "context-never-cancelled",
        "sql-rows-not-closed", "sql-pool-exhausted", "exec-cmd-not-waited", "sleep-poller",
        "runtime-reported-leak", "blocked-concentration"})
    CHECK_MESSAGE(std::find(ids.begin(), ids.end(), want) != ids.end(), want);

  // The copy embedded at build time is the same rule set.
  std::vector<EmbeddedRuleFile> embedded = embedded_rule_files();
  CHECK_FALSE(embedded.empty());
  RuleLoader from_binary;
  for (const auto& f : embedded) CHECK(from_binary.add_text(f.text, std::string(f.name), true));
  CHECK(from_binary.rules().size() == loader.rules().size());
}

TEST_CASE("pattern sets: one match per distinct string, all rules at once") {
  RuleLoader loader;
  REQUIRE(loader.add_text(
      "rules:\n"
      "  - {id: a, title: t, severity: low, description: d, fix: f, match: {frames: [{func: '^sync\\.'}]}}\n"
      "  - {id: b, title: t, severity: low, description: d, fix: f, match: {frames: [{func: 'Lock$'}]}}\n"
      "  - {id: c, title: t, severity: low, description: d, fix: f, match: {frames: [{func: '^sync\\.'}]}}\n",
      "p.yaml"));
  std::vector<Diagnostic> notes;
  auto set = RuleSet::build(loader.take_rules(), {"b", "nope"}, &notes);
  CHECK(set->rules().size() == 2);  // b disabled
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].message == "no rule with id 'nope' to disable");
  CHECK(set->funcs().size() == 1);  // a and c share one pattern
  PatternBits bits = set->funcs().match("sync.(*Mutex).Lock");
  CHECK(test_bit(bits, 0));
  CHECK_FALSE(test_bit(set->funcs().match("main.lock"), 0));
}

TEST_CASE("leak site: first user frame, --module, stdlib entry point") {
  auto l = test::load(test::corpus_dumps_dir() / "mutex-pileup.go1.27.debug2.txt");
  REQUIRE(l->result.ok);
  const Catalog& cat = l->catalog;
  const Snapshot& s = l->result.snapshots.at(0);
  LeakSiteFinder finder;
  bool saw_user = false, saw_stdlib = false;
  for (const Group& g : s.groups) {
    LeakSite site = finder.find(cat, cat.stacks.get(g.stack));
    std::string_view f = cat.str(site.site.func);
    if (f == "main.handleGet") {
      saw_user = true;
      CHECK_FALSE(site.in_stdlib);
      CHECK(cat.str(site.site.file).find("mutex-pileup/main.go") != std::string_view::npos);
    }
    if (site.in_stdlib) saw_stdlib = true;
  }
  CHECK(saw_user);
  CHECK(saw_stdlib);  // the accept loop and backgroundRead goroutines

  // --module: net/http is "the user's code" when named (silly but exact).
  LeakSiteFinder net_http({"net/http."});
  for (const Group& g : s.groups) {
    const Stack& st = cat.stacks.get(g.stack);
    LeakSite site = net_http.find(cat, st);
    if (std::string_view(cat.str(site.site.func)).rfind("net/http.", 0) == 0) CHECK_FALSE(site.in_stdlib);
  }

  // os/exec's copy goroutine: the trampolines (Start.func2, Start.gowrap1)
  // are skipped, with and without a created-by line.
  for (const char* name : {"exec-leak.go1.27.sigquit.txt", "exec-leak.go1.27.debug1.txt"}) {
    auto e = test::load(test::corpus_dumps_dir() / name);
    REQUIRE(e->result.ok);
    bool found = false;
    for (const Group& g : e->result.snapshots.at(0).groups) {
      LeakSite site = finder.find(e->catalog, e->catalog.stacks.get(g.stack));
      if (e->catalog.str(site.site.func) == "os/exec.(*Cmd).writerDescriptor.func1") {
        found = true;
        CHECK(site.in_stdlib);
      }
    }
    CHECK_MESSAGE(found, name);
  }
}

TEST_CASE("source lookup: longest trailing part of the dump path under a root") {
  fs::path root = fs::temp_directory_path() / "gorleak-source-root";
  fs::remove_all(root);
  fs::create_directories(root / "app/internal/x");
  fs::create_directories(root / "internal/x");
  {
    std::ofstream(root / "app/internal/x/y.go") << "package x\n// app copy\nfunc f() {\n\tselect {\n}\n";
    std::ofstream(root / "internal/x/y.go") << "package x\n// short copy\n";
  }
  SourceLookup lookup({root.string()});
  CHECK(lookup.resolve("/build/app/internal/x/y.go") == (root / "app/internal/x/y.go").string());
  CHECK(lookup.resolve("example.com/app/internal/x/y.go") == (root / "app/internal/x/y.go").string());
  CHECK(lookup.resolve("/other/internal/x/y.go") == (root / "internal/x/y.go").string());
  CHECK(lookup.resolve("/build/app/missing.go").empty());
  CHECK(lookup.resolve("C:\\src\\internal\\x\\y.go") == (root / "internal/x/y.go").string());
  SourceWindow w;
  REQUIRE(lookup.window("/build/app/internal/x/y.go", 4, 1, 1, &w));
  CHECK(w.first_line == 3);
  REQUIRE(w.lines.size() == 3);
  CHECK(w.lines[1] == "\tselect {");
  CHECK_FALSE(lookup.window("/build/app/internal/x/y.go", 99, 1, 1, &w));
  SourceLookup none;
  CHECK_FALSE(none.enabled());
  CHECK(none.resolve("/build/app/internal/x/y.go").empty());
  fs::remove_all(root);
}

TEST_CASE("ignore list: top, any and created-by functions, like goleak") {
  auto l = test::load(test::corpus_dumps_dir() / "send-leak.go1.27.sigquit.txt");
  REQUIRE(l->result.ok);
  const Catalog& cat = l->catalog;
  IgnoreList top, any, created;
  top.top = {"main.fetchFirst.func1"};  // under runtime.gopark & co. in SIGQUIT output
  any.any = {"main.fetchFirst.func1"};
  created.created_by = {"main.fetchFirst"};
  uint64_t n_top = 0, n_any = 0, n_created = 0;
  for (const Group& g : l->result.snapshots.at(0).groups) {
    const Stack& st = cat.stacks.get(g.stack);
    n_top += top.ignores(cat, st) ? g.count : 0;
    n_any += any.ignores(cat, st) ? g.count : 0;
    n_created += created.ignores(cat, st) ? g.count : 0;
  }
  CHECK(n_top == 50);
  CHECK(n_any == 50);
  CHECK(n_created == 50);
}
