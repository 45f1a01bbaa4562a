// The everyday options and messages of issue 14: the --fail-on gate says
// why in every format, --min-severity, --summary, --fold-stdlib, --similar,
// .gorleak.yaml, severity_rank and diff samples in JSON, and the messages
// a new user meets (typos, bad values, help texts).
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "go_support.h"
#include "json_check.h"
#include "report/format.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

std::string dump(const char* name) { return (corpus_dumps_dir() / name).string(); }

size_t count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a failing --fail-on gate says why, in one line, whatever the format") {
  std::string d = dump("states.go1.22.debug2.txt");
  Json j = json_of(run_cli({"--format", "json", d}));
  const Json& findings = j.at("snapshots").at(0).at("findings");
  // Every finding is at or above info; the line names the first three.
  std::vector<const Json*> over;
  for (const Json& f : findings.items) over.push_back(&f);
  REQUIRE(over.size() >= 4);
  auto where = [](const Json& f) {
    return fmt::format("{} at {}:{}", f.at("rule").str(),
                       fs::path(f.at("site").at("file").str()).filename().string(),
                       f.at("site").at("line").u64());
  };
  std::string want = fmt::format("gorleak: {} findings at or above info: {}, {}, {}, and {} more\n",
                                 over.size(), where(*over[0]), where(*over[1]), where(*over[2]),
                                 over.size() - 3);
  for (const char* format : {"text", "json", "goleak"}) {
    RunResult r = run_cli({"--fail-on", "Info", "--format", format, d});
    INFO(format);
    CHECK(r.exit_code == 1);
    CHECK(r.err == want);
    CHECK(!r.out.empty());  // the report is still written
  }
  RunResult s = run_cli({"--fail-on", "INFO", "--summary", d});
  CHECK(s.exit_code == 1);
  CHECK(s.err == want);

  // diff: the same line, over the last dump's findings, in every format.
  std::string idle = dump("series-send-leak.go1.22.idle.debug2.txt");
  std::string loaded = dump("series-send-leak.go1.22.loaded.debug2.txt");
  for (const char* format : {"text", "json", "dot"}) {
    RunResult r = run_cli({"diff", "--fail-on", "low", "--format", format, idle, loaded});
    INFO(format);
    CHECK(r.exit_code == 1);
    CHECK(r.err.rfind("gorleak: 1 finding at or above low: chan-send-blocked at main.go:44", 0) == 0);
    CHECK(count(r.err, "\n") == 1);
  }
}

TEST_CASE("--min-severity hides findings from the report, not from the gate") {
  std::string d = dump("states.go1.22.debug2.txt");
  Json all = json_of(run_cli({"--format", "json", d}));
  size_t total = all.at("snapshots").at(0).at("findings").size();
  Json high = json_of(run_cli({"--format", "json", "--min-severity", "HIGH", d}));
  const Json& shown = high.at("snapshots").at(0).at("findings");
  CHECK(shown.size() < total);
  for (const Json& f : shown.items) CHECK(f.at("severity_rank").u64() >= 3);
  // Every finding carries its rank beside its name.
  const char* names[] = {"info", "low", "medium", "high", "critical"};
  for (const Json& f : all.at("snapshots").at(0).at("findings").items)
    CHECK(f.at("severity").str() == names[f.at("severity_rank").u64()]);
  RunResult gate = run_cli({"--min-severity", "critical", "--fail-on", "info", d});
  CHECK(gate.exit_code == 1);  // hidden findings still fail the gate
  RunResult bad = run_cli({"--min-severity", "urgent", d});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "gorleak: --min-severity: 'urgent' is not a severity (info, low, medium, high, critical)\n");
}

TEST_CASE("--summary: one line per finding and per large group") {
  std::string d = dump("send-leak.go1.22.debug2.txt");
  RunResult r = run_cli({"--summary", d});
  REQUIRE(r.exit_code == 0);
  Json j = json_of(run_cli({"--format", "json", d}));
  const Json& s = j.at("snapshots").at(0);
  const Json& f = s.at("findings").at(0);
  std::string head = fmt::format("{}: debug2, {} goroutines in {} groups, {} finding\n", d,
                                 s.at("total").u64(), s.at("group_count").u64(),
                                 s.at("findings").size());
  CHECK(r.out.rfind(head, 0) == 0);
  std::string severity = f.at("severity").str();
  for (char& c : severity) c = static_cast<char>(c - 'a' + 'A');
  CHECK(r.out.find(fmt::format("  {:>7}  {:>6}  {:>6}  {} chan-send-blocked  main.fetchFirst.func1 "
                               "(main.go:33)\n",
                               f.at("count").u64(), "94.3%", "", severity)) != std::string::npos);
  CHECK(r.out.find("     50   94.3%   94.3%  #1 chan send  main.fetchFirst.func1 (main.go:33)\n") !=
        std::string::npos);
  CHECK(count(r.out, "\n") == 1 + 2 + 1 + s.at("group_count").u64());
  RunResult top = run_cli({"--summary", "--top", "1", d});
  CHECK(count(top.out, "  #") == 1);
  RunResult bad = run_cli({"--summary", "--format", "json", d});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "gorleak: --summary is a text report; it cannot go with --format json\n");
}

TEST_CASE("--fold-stdlib folds runs of standard-library frames, keeps what the program called") {
  std::string d = dump("states.go1.22.sigquit.txt");
  RunResult plain = run_cli({"--top", "0", "--full", d});
  RunResult folded = run_cli({"--top", "0", "--fold-stdlib", d});
  REQUIRE(folded.exit_code == 0);
  CHECK(count(folded.out, "standard-library frames folded") > 10);
  CHECK(folded.out.size() < plain.out.size());
  CHECK(folded.out.find("runtime.gopark") == std::string::npos);
  CHECK(plain.out.find("runtime.gopark") != std::string::npos);
  // The frame the program called into stays: sync.(*Mutex).Lock for a
  // mutex waiter, the program's own frame marked as before.
  CHECK(folded.out.find("sync.(*Mutex).Lock  ") != std::string::npos);
  CHECK(count(folded.out, "\u2192 main.") == count(plain.out, "\u2192 main."));
}

TEST_CASE("--similar groups stacks that differ only in line numbers and arguments") {
  std::string text =
      "goroutine 1 [select]:\nmain.worker(0xc000010000)\n\t/src/app/main.go:10 +0x10\n"
      "created by main.main in goroutine 1\n\t/src/app/main.go:30 +0x1\n\n"
      "goroutine 2 [select]:\nmain.worker(...)\n\t/src/app/main.go:12\n"
      "created by main.main in goroutine 1\n\t/src/app/main.go:31 +0x1\n\n"
      "goroutine 3 [select]:\nmain.worker(0xc000010080)\n\t/src/app/main.go:10 +0x10\n"
      "created by main.main in goroutine 1\n\t/src/app/main.go:30 +0x1\n";
  auto groups = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--format", "json"});
    args.push_back("-");
    return json_of(run_cli(args, text)).at("snapshots").at(0).at("group_count").u64();
  };
  CHECK(groups({}) == 2);
  CHECK(groups({"--group-by", "function"}) == 2);  // `(...)`: an inlined frame differs
  CHECK(groups({"--similar"}) == 1);
  CHECK(groups({"--group-by", "similar"}) == 1);
  RunResult bad = run_cli({"--similar", "--group-by", "function", "-"}, text);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "gorleak: --similar and --group-by function contradict each other\n");
}

TEST_CASE(".gorleak.yaml: found upwards, CLI flags win, errors point into it") {
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  fs::path project = tmp.path / "project";
  fs::path deep = project / "cmd" / "server";
  fs::create_directories(deep);
  std::string d = dump("states.go1.22.debug2.txt");
  write_file(project / "baseline.yaml", "suppressions:\n  - rule: select-no-cases\n    site: main.selectNoCases\n");
  write_file(project / ".gorleak.yaml",
        "# the team's defaults\n"
        "fail_on: Critical\n"
        "min_severity: medium\n"
        "baseline: baseline.yaml\n"
        "disable: [sleep-poller]\n");
  auto in = [&](const fs::path& dir, const std::string& args) {
    std::string out;
    int rc = run_shell(fmt::format("cd {} && {} {}", shell_quote(dir.string()), shell_quote(cli_path()), args),
                       tmp.path / "run.log", &out);
    return std::make_pair(rc, out);
  };
  auto [rc, out] = in(deep, "--format json " + shell_quote(d));
  CHECK(rc == 1);  // fail_on: critical, and nil-channel is critical
  Json j;
  std::string error;
  std::string report = out.substr(0, out.rfind("gorleak: "));
  REQUIRE_MESSAGE(parse_json(report, &j, &error), error);
  const Json& s = j.at("snapshots").at(0);
  CHECK(s.at("suppressed_findings").u64() == 1);  // the baseline, relative to the file
  for (const Json& f : s.at("findings").items) {
    CHECK(f.at("severity_rank").u64() >= 2);  // min_severity
    CHECK(f.at("rule").str() != "sleep-poller");   // disable
    CHECK(f.at("rule").str() != "select-no-cases");
  }
  CHECK(out.find("gorleak: 2 findings at or above critical: nil-channel") != std::string::npos);
  // A flag on the command line replaces the file's value.
  write_file(tmp.path / "empty.yaml", "");
  auto [orc, oout] = in(deep, "--fail-on info --baseline ../../../empty.yaml --format json " + shell_quote(d));
  CHECK(orc == 1);
  REQUIRE_MESSAGE(parse_json(oout.substr(0, oout.rfind("gorleak: ")), &j, &error), error);
  CHECK(j.at("snapshots").at(0).at("suppressed_findings").u64() == 0);
  CHECK(in(deep, "--no-config --fail-on critical --disable nil-channel " + shell_quote(d)).first == 0);
  // --config names another file; a bad one is an error at its line and column.
  write_file(tmp.path / "bad.yaml", "fail_on: high\nmodules: {a: b}\n");
  auto [brc, bout] = in(tmp.path, "--config bad.yaml " + shell_quote(d));
  CHECK(brc == 2);
  CHECK(bout == "gorleak: bad.yaml:2:10: 'modules' must be a string or a list of strings\n");
  write_file(tmp.path / "worse.yaml", "fail_on: severe\n");
  CHECK(in(tmp.path, "--config worse.yaml " + shell_quote(d)).second ==
        "gorleak: worse.yaml:1:10: 'fail_on' must be a severity (info, low, medium, high, critical), "
        "got 'severe'\n");
  write_file(tmp.path / "typo.yaml", "fail-on: high\n");
  CHECK(in(tmp.path, "--config typo.yaml " + shell_quote(d)).second ==
        "gorleak: typo.yaml:1:1: unknown field 'fail-on' in the file (known: modules, rules, disable, "
        "ignore, source_roots, baseline, fail_on, min_severity)\n");
  // diff and baseline read it too.
  CHECK(in(deep, "diff --no-config " + shell_quote(dump("series-send-leak.go1.22.idle.debug2.txt")) +
                     " " + shell_quote(dump("series-send-leak.go1.22.loaded.debug2.txt"))).first == 0);
}

TEST_CASE("JSON: diff rows carry sample goroutine ids per dump") {
  Json j = json_of(run_cli({"diff", "--format", "json", dump("series-send-leak.go1.22.idle.debug2.txt"),
                            dump("series-send-leak.go1.22.loaded.debug2.txt")}));
  size_t with_samples = 0;
  for (const Json& row : j.at("groups").items) {
    const Json& samples = row.at("samples");
    REQUIRE(samples.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(samples.at(i).size() <= 5);
      if (row.at("counts").at(i).u64() == 0) CHECK(samples.at(i).size() == 0);
    }
    with_samples += samples.at(1).size() > 0;
  }
  CHECK(with_samples > 0);
}

TEST_CASE("messages a new user meets") {
  RunResult typo = run_cli({"dif", "a.txt", "b.txt"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err == "gorleak: 'dif' is neither a file nor a command; did you mean `gorleak diff`?\n");
  CHECK(run_cli({"redcat"}).err ==
        "gorleak: 'redcat' is neither a file nor a command; did you mean `gorleak redact`?\n");
  // A real file of that name is read, not taken for a typo.
  CHECK(run_cli({"nosuchthing"}).err.find("did you mean") == std::string::npos);

  std::string d = dump("send-leak.go1.22.debug2.txt");
  RunResult forgot = run_cli({"--fail-on", d});
  CHECK(forgot.exit_code == 2);
  CHECK(forgot.err == fmt::format("gorleak: --fail-on: '{}' is not a severity (info, low, medium, high, "
                                  "critical); it is a file: give the severity first, e.g. --fail-on high FILE\n",
                                  d));
  std::string idle = dump("series-send-leak.go1.22.idle.debug2.txt");
  RunResult graph = run_cli({"diff", "--graph", "calls", idle, d});
  CHECK(graph.exit_code == 2);
  CHECK(graph.err == "gorleak: --graph calls draws a graph: it needs --format dot\n");
  CHECK(run_cli({"diff", "--graph", "calls", "--format", "dot", idle, d}).exit_code == 0);

  RunResult help = run_cli({"diff", "--help"});
  CHECK(help.out.find("--format " + gorleak::format_names(gorleak::FormatUse::kDiff)) != std::string::npos);
  CHECK(help.out.find("(default: 20") != std::string::npos);
  RunResult ahelp = run_cli({"--help"});
  CHECK(ahelp.out.find("--format " + gorleak::format_names(gorleak::FormatUse::kAnalyze)) != std::string::npos);
  CHECK(gorleak::format_names(gorleak::FormatUse::kAnalyze).find("goleak") != std::string::npos);
  CHECK(ahelp.out.find("baseline") != std::string::npos);
  CHECK(ahelp.out.find("redact") != std::string::npos);

  RunResult list = run_cli({"rules", "list"});
  CHECK(list.out.find("FILE") != std::string::npos);
  CHECK(list.out.find("rules/channels.yaml:") != std::string::npos);
}
