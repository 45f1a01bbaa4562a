// The rule options and `gorleak rules` end to end, through the real binary:
// the README's worked custom rule (taken from rules/README.md itself, so the
// doc cannot drift), the built-in rule files' own examples, --fail-on,
// --disable, --no-builtin, the ignore list and --source-root.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.h"

using namespace gorleak;
namespace fs = std::filesystem;

namespace {

// Rule examples name dumps relative to the repository.
struct InSourceDir {
  InSourceDir() { fs::current_path(test::source_dir()); }
};

std::string readme_rule() {
  std::string readme = test::read_file(test::source_dir() / "rules" / "README.md");
  size_t start = readme.find("<!-- example-rule -->");
  REQUIRE(start != std::string::npos);
  start = readme.find("```yaml\n", start);
  REQUIRE(start != std::string::npos);
  start += 8;
  size_t end = readme.find("```", start);
  REQUIRE(end != std::string::npos);
  return readme.substr(start, end - start);
}

fs::path write_temp(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("gorleak-rules-cli-test-" + name);
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}

fs::path dump(const std::string& name) { return test::corpus_dumps_dir() / name; }

bool have(std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (!fs::exists(dump(n))) return false;
  return true;
}

}  // namespace

TEST_CASE("the README's custom rule works end to end") {
  InSourceDir here;
  if (!have({"series-mutex-pileup.go1.22.after.debug2.txt", "series-mutex-pileup.go1.19.after.debug2.txt",
             "healthy-mixed.go1.22.debug2.txt"})) {
    MESSAGE("series-mutex-pileup / healthy-mixed dumps missing: skipped");
    return;
  }
  fs::path rules = write_temp("cache-rules.yaml", readme_rule());

  test::RunResult t = test::run_cli({"rules", "test", rules.string()});
  CHECK_MESSAGE(t.exit_code == 0, (t.out + t.err));
  CHECK(t.out.find("1 rules, 3 examples: 3 passed, 0 failed") != std::string::npos);

  std::string d = dump("series-mutex-pileup.go1.22.after.debug2.txt").string();
  test::RunResult r = test::run_cli({"--rules", rules.string(), "--fail-on", "critical", d});
  CHECK_MESSAGE(r.exit_code == 1, (r.out + r.err));
  CHECK(r.out.find("cache-refresh-hung") != std::string::npos);

  // A directory of rule files works the same (*.yaml / *.yml in it).
  test::RunResult dir = test::run_cli({"--rules", rules.parent_path().string(), "--fail-on", "critical", d});
  CHECK(dir.exit_code == 1);
  CHECK(dir.out.find("cache-refresh-hung") != std::string::npos);

  test::RunResult j = test::run_cli({"--rules", rules.string(), "--format", "json", d});
  CHECK(j.exit_code == 0);
  CHECK(j.out.find("\"rule\": \"cache-refresh-hung\"") != std::string::npos);
  CHECK(j.out.find("\"func\": \"main.(*Cache).refresh\"") != std::string::npos);
  // The built-in mutex-pileup still reports the waiters behind the lock.
  CHECK(j.out.find("\"rule\": \"mutex-pileup\"") != std::string::npos);

  // Broken: the exact file:line:col with RE2's message, exit 2, no report.
  std::string text = readme_rule();
  std::string good = "'^main\\.\\(\\*Cache\\)\\.refresh$'";
  size_t at = text.find(good);
  REQUIRE(at != std::string::npos);
  text.replace(at, good.size(), "'(\\*Cache'");
  fs::path broken = write_temp("broken.yaml", text);
  test::RunResult b = test::run_cli({"--rules", broken.string(), d});
  CHECK(b.exit_code == 2);
  CHECK(b.out.empty());
  CHECK(b.err == "gorleak: " + broken.string() +
                     ":17:28: invalid regular expression in 'func': missing ): (\\*Cache\n");
  test::RunResult bt = test::run_cli({"rules", "test", broken.string()});
  CHECK(bt.exit_code == 2);
  CHECK(bt.err == b.err);
}

TEST_CASE("gorleak rules test rules/*.yaml passes; a failing example exits 1") {
  InSourceDir here;
  std::vector<std::string> args = {"rules", "test"};
  for (const auto& p : test::list_files(test::source_dir() / "rules", ".yaml")) args.push_back(p.string());
  REQUIRE(args.size() > 5);
  test::RunResult r = test::run_cli(args);
  CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
  CHECK(r.out.find("FAIL") == std::string::npos);
  CHECK(r.out.find(" 0 failed") != std::string::npos);

  if (!have({"send-leak.go1.22.debug2.txt"})) return;
  fs::path wrong = write_temp("wrong.yaml",
                              "rules:\n"
                              "  - id: sends\n"
                              "    title: t\n"
                              "    severity: high\n"
                              "    description: d\n"
                              "    fix: f\n"
                              "    match: {state: {categories: [chan send]}}\n"
                              "    examples:\n"
                              "      - dump: corpus/dumps/send-leak.go1.22.debug2.txt\n"
                              "        expect: {count: 49, site: main.fetchFirst.func1}\n"
                              "      - dump: corpus/dumps/no-such-dump.txt\n"
                              "        expect: none\n");
  test::RunResult w = test::run_cli({"rules", "test", wrong.string()});
  CHECK(w.exit_code == 1);
  CHECK(w.out.find("FAIL  sends  corpus/dumps/send-leak.go1.22.debug2.txt  " + wrong.string() +
                   ":9:9: expected sends count=49 site=main.fetchFirst.func1, got sends count=50 "
                   "site=main.fetchFirst.func1") != std::string::npos);
  CHECK(w.out.find("dump corpus/dumps/no-such-dump.txt not found") != std::string::npos);
  CHECK(w.out.find("1 rules, 2 examples: 0 passed, 2 failed") != std::string::npos);
}

TEST_CASE("gorleak rules list and explain") {
  test::RunResult l = test::run_cli({"rules", "list"});
  CHECK(l.exit_code == 0);
  for (const char* id : {"ticker-without-stop", "nil-channel", "blocked-concentration", "sql-pool-exhausted",
                         "heap-time-after", "heap-growing-structure"})
    CHECK_MESSAGE(l.out.find(id) != std::string::npos, id);
  CHECK(l.out.find("38 rules") != std::string::npos);  // 31 goroutine rules, 7 heap rules

  test::RunResult d = test::run_cli({"rules", "list", "--disable", "nil-channel"});
  CHECK(d.out.find("37 rules") != std::string::npos);
  test::RunResult n = test::run_cli({"rules", "list", "--no-builtin"});
  CHECK(n.out.find("0 rules") != std::string::npos);

  test::RunResult h = test::run_cli({"rules", "explain", "heap-time-after"});
  CHECK(h.exit_code == 0);
  CHECK(h.out.find("Matches heap allocation sites where:") != std::string::npos);
  CHECK(h.out.find("Go version: before 1.23") != std::string::npos);
  CHECK(h.out.find("inuse_space: at least 1 MiB") != std::string::npos);

  test::RunResult e = test::run_cli({"rules", "explain", "mutex-pileup"});
  CHECK(e.exit_code == 0);
  CHECK(e.out.find("mutex-pileup: Goroutines piling up on a lock") != std::string::npos);
  CHECK(e.out.find("Threshold: 10 or more waiters") != std::string::npos);
  CHECK(e.out.find("at least 10 goroutines summed over groups sharing a leak site") != std::string::npos);
  CHECK(e.out.find("Fix:") != std::string::npos);

  test::RunResult u = test::run_cli({"rules", "explain", "no-such-rule"});
  CHECK(u.exit_code == 1);
  CHECK(u.err == "gorleak: no rule with id 'no-such-rule' (see gorleak rules list)\n");
  CHECK(test::run_cli({"rules", "frobnicate"}).exit_code == 2);
}

TEST_CASE("--fail-on, --disable, --no-builtin, --rules errors") {
  if (!have({"body-leak.go1.22.debug2.txt", "healthy-mixed.go1.22.debug2.txt"})) return;
  std::string body = dump("body-leak.go1.22.debug2.txt").string();
  // One dump of 23 unread bodies is a suspicion (low): in-flight downloads
  // look the same for a moment. The gate follows the evidence.
  CHECK(test::run_cli({"--fail-on", "low", body}).exit_code == 1);
  CHECK(test::run_cli({"--fail-on", "medium", body}).exit_code == 0);
  CHECK(test::run_cli({"--fail-on", "critical", body}).exit_code == 0);
  // The runtime's proof makes the same gate fail at critical.
  if (have({"send-leak.go1.27.leak2.txt"}))
    CHECK(test::run_cli({"--fail-on", "critical", dump("send-leak.go1.27.leak2.txt").string()}).exit_code == 1);
  CHECK(test::run_cli({body}).exit_code == 0);  // no gate, no failure
  // healthy-mixed has info findings only (unconfirmed time.After guesses).
  CHECK(test::run_cli({"--fail-on", "low", dump("healthy-mixed.go1.22.debug2.txt").string()}).exit_code == 0);
  test::RunResult bad = test::run_cli({"--fail-on", "severe", body});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "gorleak: --fail-on: 'severe' is not a severity (info, low, medium, high, critical)\n");

  CHECK(test::run_cli({"--fail-on", "low", "--disable", "unclosed-response-body", body}).exit_code == 0);
  CHECK(test::run_cli({"--fail-on", "low", "--no-builtin", body}).exit_code == 0);

  test::RunResult missing = test::run_cli({"--rules", "/nonexistent/rules.yaml", body});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("gorleak: /nonexistent/rules.yaml: cannot read rule file") == 0);
}

TEST_CASE("--ignore-top, --ignore-any, --ignore-created-by silence known goroutines") {
  if (!have({"send-leak.go1.22.debug2.txt"})) return;
  std::string d = dump("send-leak.go1.22.debug2.txt").string();
  CHECK(test::run_cli({"--fail-on", "low", d}).exit_code == 1);
  CHECK(test::run_cli({"--fail-on", "low", "--ignore-top", "main.fetchFirst.func1", d}).exit_code == 0);
  CHECK(test::run_cli({"--fail-on", "low", "--ignore-any", "main.fetchFirst.func1", d}).exit_code == 0);
  CHECK(test::run_cli({"--fail-on", "low", "--ignore-created-by", "main.fetchFirst", d}).exit_code == 0);
  // Exact names, like goleak: a prefix does not ignore anything.
  CHECK(test::run_cli({"--fail-on", "low", "--ignore-top", "main.fetchFirst", d}).exit_code == 1);
}

TEST_CASE("--source-root lets the source rules read the code") {
  if (!have({"ticker-leak.go1.19.debug2.txt"})) return;
  std::string d = dump("ticker-leak.go1.19.debug2.txt").string();
  test::RunResult without = test::run_cli({"--format", "json", "--no-source", d});
  CHECK(without.out.find("\"rule\": \"chan-receive-never-closed\"") != std::string::npos);
  CHECK(without.out.find("\"rule\": \"ticker-without-stop\"") == std::string::npos);
  // Run in the checkout (the tests run in the source tree), gorleak finds
  // the source by itself and says which line it read.
  test::RunResult here = test::run_cli({"--format", "json", d});
  CHECK(here.out.find("\"rule\": \"ticker-without-stop\"") != std::string::npos);
  CHECK(here.out.find("corpus/programs/ticker-leak/main.go:") != std::string::npos);
  CHECK(here.out.find("\"rule\": \"chan-receive-never-closed\"") == std::string::npos);
  // A checkout anywhere: the dump's /work/main/corpus/programs/ticker-leak/main.go
  // is found by its trailing part under the root.
  test::RunResult with = test::run_cli(
      {"--format", "json", "--source-root", (test::source_dir() / "corpus").string(), d});
  CHECK(with.out.find("\"rule\": \"ticker-without-stop\"") != std::string::npos);
  CHECK(with.out.find("\"rule\": \"chan-receive-never-closed\"") == std::string::npos);
}
