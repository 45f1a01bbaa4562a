// Fingerprints, baselines and suppression files (report/fingerprint.h,
// suppress/): the same leak keeps its fingerprint across restarts, Go
// versions and dump forms of one program, a baseline suppresses exactly
// the findings it was written from, a new finding shows through, and the
// --fail-on gate sees only new findings. The Go-built restart test is in
// test_go_bridge.cpp.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "classify/classifier.h"
#include "json_check.h"
#include "model/func_name.h"
#include "report/fingerprint.h"
#include "suppress/finding_filter.h"
#include "suppress/suppressor.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

struct Classified {
  std::unique_ptr<Loaded> loaded;
  Snapshot& snap() { return loaded->result.snapshots.front(); }
};

Classified classified(const fs::path& p) {
  Classified c{load(p)};
  REQUIRE(c.loaded->result.ok);
  REQUIRE(!c.loaded->result.snapshots.empty());
  ClassifyOptions opt;
  for (Snapshot& s : c.loaded->result.snapshots) {
    classify(s, c.loaded->catalog, builtin_rule_set(), opt);
    set_fingerprints(s.findings, s, c.loaded->catalog);
  }
  return c;
}

std::set<std::string> fingerprints(Classified& c) {
  std::set<std::string> out;
  for (const Finding& f : c.snap().findings) out.insert(f.fingerprint);
  return out;
}

struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& content, const char* suffix = ".yaml") {
    static int n = 0;
    path = fs::temp_directory_path() / fmt::format("gorleak-baseline-{}-{}{}", getpid(), n++, suffix);
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { fs::remove(path); }
};

bool parse(const std::string& text, SuppressionFile* file, std::string* error) {
  Diagnostic d;
  bool ok = parse_suppression_text(text, "s.yaml", file, &d);
  if (!ok) *error = d.format();
  return ok;
}

std::string error_of(const std::string& text) {
  SuppressionFile f;
  std::string e;
  CHECK_FALSE(parse(text, &f, &e));
  CHECK(f.entries.empty());
  return e;
}

Suppressor suppressor_of(const std::string& text, std::chrono::year_month_day today = today_utc()) {
  SuppressionFile f;
  std::string e;
  REQUIRE_MESSAGE(parse(text, &f, &e), e);
  std::vector<SuppressionFile> files;
  files.push_back(std::move(f));
  return Suppressor(std::move(files), today);
}

}  // namespace

TEST_CASE("fingerprint: the documented text and hash") {
  // FNV-1a 64 test vectors.
  CHECK(fingerprint_of_text("") == "cbf29ce484222325");
  CHECK(fingerprint_of_text("a") == "af63dc4c8601ec8c");
  CHECK(fingerprint_of_text("foobar") == "85944171f73967e8");

  Classified c = classified(corpus_dumps_dir() / "send-leak.go1.22.debug2.txt");
  REQUIRE(c.snap().findings.size() == 1);
  const Finding& f = c.snap().findings[0];
  // The site is the closure; the goroutine's entry is that closure too (the
  // `go` statement's wrapper is hidden), so the path is one function.
  CHECK(fingerprint_text(f, c.snap(), c.loaded->catalog) ==
        "gorleak-fingerprint-1\nchan-send-blocked\nmain.fetchFirst.func1\nmain.fetchFirst.func1\n");
  CHECK(f.fingerprint == fingerprint_of_text(fingerprint_text(f, c.snap(), c.loaded->catalog)));
  CHECK(f.fingerprint.size() == 16);
}

TEST_CASE("fingerprint: the same program's findings keep their fingerprints across Go versions, "
          "forms and runs") {
  // Each corpus program was run once per Go version: different goroutine
  // ids, addresses, argument values, standard-library line numbers and
  // runtime frames, and (SIGQUIT) level-2 tracebacks with `go` wrappers.
  size_t programs = 0, compared = 0, findings = 0;
  for (const fs::path& base : list_files(corpus_dumps_dir(), ".go1.22.")) {
    std::string name = base.filename().string();
    if (!name.ends_with(".debug2.txt")) continue;
    Classified b = classified(base);
    std::set<std::string> accepted = fingerprints(b);
    if (accepted.empty()) continue;
    std::set<std::string> base_rules;
    for (const Finding& f : b.snap().findings) base_rules.insert(f.rule);
    ++programs;
    std::string stem = name.substr(0, name.find(".go1.22."));
    std::string phase = name.substr(name.find(".go1.22.") + 8);
    phase = phase.substr(0, phase.size() - std::string("debug2.txt").size());  // "" or "loaded."
    for (const char* version : {"1.19", "1.22", "1.26", "1.27"}) {
      for (const char* form : {"debug2", "sigquit", "leak2"}) {
        fs::path other = corpus_dumps_dir() / fmt::format("{}.go{}.{}{}.txt", stem, version, phase, form);
        if (!fs::exists(other) || other == base) continue;
        Classified o = classified(other);
        INFO(other.string());
        for (const Finding& f : o.snap().findings) {
          // Which rules fire depends on the evidence in each capture (the
          // runtime's proof lifts a small group to a finding; a loaded
          // phase catches a different moment): compare the findings both
          // have. A site inside the standard library is named as that Go
          // release names it (context.propagateCancel.func1 in 1.19 is
          // context.(*cancelCtx).propagateCancel.func2 in 1.22).
          // A guess the source was not read to confirm (time.After in a
          // loop?) is named by whichever call path the capture caught.
          if (!base_rules.count(f.rule) || f.confidence == Confidence::kUnconfirmed) continue;
          if (is_stdlib_func(o.loaded->catalog.str(f.site.func)) && std::string(version) != "1.22")
            continue;
          INFO(f.rule, " at ", o.loaded->catalog.str(f.site.func), ": ",
               fingerprint_text(f, o.snap(), o.loaded->catalog));
          CHECK(accepted.count(f.fingerprint) == 1);
          ++findings;
        }
        ++compared;
      }
    }
  }
  MESSAGE(programs, " programs, ", compared, " dumps compared, ", findings, " findings matched");
  CHECK(programs >= 20);
  CHECK(compared >= 100);
}

TEST_CASE("fingerprint: different leaks get different fingerprints") {
  Classified c = classified(corpus_dumps_dir() / "states.go1.22.debug2.txt");
  REQUIRE(c.snap().findings.size() >= 10);
  CHECK(fingerprints(c).size() == c.snap().findings.size());
}

TEST_CASE("suppression files: entries, and file:line:col errors") {
  SuppressionFile f;
  std::string e;
  REQUIRE(parse("version: 1\n"
                "suppressions:\n"
                "  - fingerprint: 0123456789abcdef\n"
                "    reason: |\n      known\n"
                "    expires: 2031-02-28\n"
                "  - rule: sleep-poller\n"
                "    site: main.sleeper\n",
                &f, &e));
  REQUIRE(f.entries.size() == 2);
  CHECK(f.entries[0].fingerprint == "0123456789abcdef");
  CHECK(f.entries[0].reason == "known");
  CHECK(f.entries[0].line == 3);
  CHECK(f.entries[0].column == 5);
  REQUIRE(f.entries[0].expires.has_value());
  CHECK(format_date(*f.entries[0].expires) == "2031-02-28");
  CHECK(f.entries[1].rule == "sleep-poller");
  CHECK(parse("", &f, &e));  // an empty file accepts nothing
  CHECK(f.entries.empty());
  CHECK(parse("{\"suppressions\": [{\"rule\": \"a\", \"site\": \"b\"}]}", &f, &e));  // JSON too
  CHECK(f.entries.size() == 1);

  CHECK(error_of("suppressions:\n  - fingerprint: 0123\n") ==
        "s.yaml:2:18: 'fingerprint' must be 16 lower-case hex digits, got '0123'");
  CHECK(error_of("suppressions:\n  - rule: x\n") ==
        "s.yaml:2:5: an entry needs a 'fingerprint', or both 'rule' and 'site'");
  CHECK(error_of("suppressions:\n  - rule: x\n    site: y\n    expires: 2025-02-30\n") ==
        "s.yaml:4:14: 'expires' must be a date YYYY-MM-DD, got '2025-02-30'");
  CHECK(error_of("suppressions:\n  - rule: x\n    sight: y\n") ==
        "s.yaml:3:5: unknown field 'sight' in a 'suppressions' entry (known: fingerprint, rule, "
        "site, reason, expires, count, location)");
  CHECK(error_of("version: 2\nsuppressions: []\n") ==
        "s.yaml:1:10: unsupported version 2 (this gorleak reads version 1)");
  CHECK(error_of("suppressions: {}\n") == "s.yaml:1:15: 'suppressions' must be a list, got a map");
  CHECK(error_of("a: &x 1\n") == "s.yaml:1:4: YAML anchors (&name) are not allowed in suppression files");
  CHECK(error_of("suppressions: [\n").rfind("s.yaml:", 0) == 0);
}

TEST_CASE("suppressor: fingerprint and rule+site entries, expiry, cause links") {
  Classified c = classified(corpus_dumps_dir() / "states.go1.22.debug2.txt");
  std::vector<Finding> findings = c.snap().findings;
  size_t before = findings.size();
  const Catalog& cat = c.loaded->catalog;
  REQUIRE(before >= 10);
  std::string fp0 = findings[0].fingerprint;

  Suppressor s = suppressor_of(fmt::format(
      "suppressions:\n"
      "  - fingerprint: {}\n"
      "  - rule: sleep-poller\n    site: main.sleeper\n    reason: polls by design\n"
      "  - rule: sleep-poller\n    site: main.somethingElse\n"
      "  - rule: mutex-pileup\n    site: main.rwWriter\n    expires: 2000-01-01\n"
      "    reason: was to be fixed\n",
      fp0));
  CHECK(s.entries() == 4);
  uint64_t removed = s.apply(&findings, cat);
  CHECK(removed == 2);
  CHECK(findings.size() == before - 2);
  for (const Finding& f : findings) {
    CHECK(f.fingerprint != fp0);
    CHECK(f.rule != "sleep-poller");
  }
  // The expired entry applies no more, and says so.
  bool writer_left = false;
  for (const Finding& f : findings)
    writer_left |= f.rule == "mutex-pileup" && cat.str(f.site.func) == "main.rwWriter";
  CHECK(writer_left);
  auto expired = s.expired();
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].format() ==
        "s.yaml:8:5: suppression of mutex-pileup at main.rwWriter expired on 2000-01-01 "
        "(reason: was to be fixed); its findings are reported again");

  // Removing keeps cause links pointing at the same findings.
  std::vector<Finding> linked(4);
  for (int i = 0; i < 4; ++i) linked[i].rule = fmt::format("r{}", i);
  linked[3].cause_finding = 2;
  linked[2].cause_finding = 0;
  linked[1].cause_finding = 3;
  CHECK(remove_findings(&linked, [](const Finding& f) { return f.rule == "r0" || f.rule == "r1"; }) == 2);
  REQUIRE(linked.size() == 2);
  CHECK(linked[0].rule == "r2");
  CHECK(linked[0].cause_finding == -1);  // its cause went
  CHECK(linked[1].cause_finding == 0);   // r3 → r2, now at 0
  CHECK(remove_findings_below(&findings, RuleSeverity::kHigh) > 0);
  for (const Finding& f : findings) CHECK(f.severity >= RuleSeverity::kHigh);
}

TEST_CASE("CLI: baseline write, then --baseline on another run of the same program") {
  fs::path base = corpus_dumps_dir() / "states.go1.19.debug2.txt";
  fs::path later = corpus_dumps_dir() / "states.go1.27.sigquit.txt";
  Json doc;
  std::string error;
  RunResult b = run_cli({"--format", "json", base.string()});
  REQUIRE_MESSAGE(parse_json(b.out, &doc, &error), error);
  const size_t n = doc.at("snapshots").at(0).at("findings").size();  // distinct leaks
  REQUIRE(n >= 10);
  TempFile file("");
  RunResult w = run_cli({"baseline", "write", file.path.string(), base.string()});
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  CHECK(w.err == fmt::format("gorleak: wrote {} findings to {}\n", n, file.path.string()));
  std::string yaml = read_file(file.path);
  CHECK(yaml.find("version: 1") != std::string::npos);
  CHECK(yaml.find("fingerprint: ") != std::string::npos);
  CHECK(yaml.find("rule: nil-channel") != std::string::npos);

  // Unsuppressed, the later dump fails a high gate; with the baseline it
  // passes, and the report says how many were suppressed.
  RunResult plain = run_cli({"--fail-on", "high", later.string()});
  CHECK(plain.exit_code == 1);
  RunResult r = run_cli({"--baseline", file.path.string(), "--fail-on", "HIGH", later.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find(fmt::format("Findings (0 new; {} suppressed by --baseline)", n)) !=
        std::string::npos);
  RunResult j = run_cli({"--baseline", file.path.string(), "--format", "json", later.string()});
  REQUIRE_MESSAGE(parse_json(j.out, &doc, &error), error);
  const Json& snap = doc.at("snapshots").at(0);
  CHECK(snap.at("suppressed_findings").u64() == n);
  CHECK(snap.at("findings").size() == 0);

  // A new leak shows through: a baseline without the nil-channel entries
  // (as if taken before that code shipped) lets exactly those two through,
  // and the gate names the first.
  std::string trimmed;
  {
    SuppressionFile f;
    std::string e;
    REQUIRE(parse(yaml, &f, &e));
    std::vector<Suppression> keep;
    for (const Suppression& s : f.entries)
      if (s.rule != "nil-channel") keep.push_back(s);
    REQUIRE(keep.size() == n - 2);
    trimmed = baseline_yaml(keep, "trimmed");
  }
  TempFile older(trimmed);
  RunResult nr = run_cli({"--baseline", older.path.string(), "--fail-on", "critical", "--format",
                          "json", later.string()});
  REQUIRE_MESSAGE(parse_json(nr.out, &doc, &error), error);
  const Json& s2 = doc.at("snapshots").at(0);
  CHECK(s2.at("suppressed_findings").u64() == n - 2);
  REQUIRE(s2.at("findings").size() == 2);
  for (const Json& f : s2.at("findings").items) CHECK(f.at("rule").str() == "nil-channel");
  CHECK(nr.exit_code == 1);
  CHECK(nr.err == fmt::format("gorleak: 2 findings at or above critical: nil-channel at main.go:60, "
                              "nil-channel at main.go:58 ({} suppressed by --baseline)\n",
                              n - 2));
}

TEST_CASE("CLI: a bad baseline file is a one-line error with its position") {
  TempFile bad("suppressions:\n  - rule: x\n    expires: tomorrow\n    site: y\n");
  RunResult r = run_cli({"--baseline", bad.path.string(),
                         (corpus_dumps_dir() / "send-leak.go1.22.debug2.txt").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == fmt::format("gorleak: {}:3:14: 'expires' must be a date YYYY-MM-DD, got 'tomorrow'\n",
                             bad.path.string()));
  RunResult missing = run_cli({"--baseline", "/nonexistent/base.yaml",
                               (corpus_dumps_dir() / "send-leak.go1.22.debug2.txt").string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.rfind("gorleak: /nonexistent/base.yaml: cannot read suppression file", 0) == 0);
}

TEST_CASE("CLI: an expired entry is reported and its finding comes back; diff honours --baseline") {
  fs::path dump = corpus_dumps_dir() / "send-leak.go1.22.debug2.txt";
  TempFile file("suppressions:\n"
                "  - rule: chan-send-blocked\n    site: main.fetchFirst.func1\n    expires: 2001-02-03\n");
  RunResult r = run_cli({"--baseline", file.path.string(), "--format", "json", dump.string()});
  CHECK(r.exit_code == 0);
  CHECK(r.err == fmt::format("gorleak: warning: {}:2:5: suppression of chan-send-blocked at "
                             "main.fetchFirst.func1 expired on 2001-02-03; its findings are "
                             "reported again\n",
                             file.path.string()));
  Json doc;
  std::string error;
  REQUIRE_MESSAGE(parse_json(r.out, &doc, &error), error);
  CHECK(doc.at("snapshots").at(0).at("findings").size() == 1);

  TempFile live("suppressions:\n  - rule: chan-send-blocked\n    site: main.search.func1\n");
  fs::path idle = corpus_dumps_dir() / "series-send-leak.go1.22.idle.debug2.txt";
  fs::path loaded = corpus_dumps_dir() / "series-send-leak.go1.22.loaded.debug2.txt";
  RunResult d = run_cli({"diff", "--baseline", live.path.string(), "--fail-on", "high", "--format",
                         "json", idle.string(), loaded.string()});
  INFO(d.err);
  CHECK(d.exit_code == 0);
  REQUIRE_MESSAGE(parse_json(d.out, &doc, &error), error);
  CHECK(doc.at("suppressed_findings").u64() == 1);
  CHECK(doc.at("findings").size() == 0);
  RunResult d2 = run_cli({"diff", "--fail-on", "high", idle.string(), loaded.string()});
  CHECK(d2.exit_code == 1);
  CHECK(d2.err == "gorleak: 1 finding at or above high: chan-send-blocked at main.go:44\n");
}
