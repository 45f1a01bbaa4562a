// Fuzzer findings (tests/fuzz) turned into regression tests: each minimal
// reproducer in tests/data/regress/ is replayed through the stage that
// failed, and the invariants the fuzz target checks are checked again.
#include <doctest/doctest.h>

#include <string>

#include "classify/rule_loader.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

fs::path regress_dir() { return source_dir() / "tests" / "data" / "regress"; }

void check_invariants(const LoadResult& r) {
  for (const Diagnostic& d : r.diagnostics) CHECK(d.format().find('\n') == std::string::npos);
  for (const Snapshot& s : r.snapshots) {
    uint64_t sum = 0;
    for (const Group& g : s.groups) sum += g.count;
    CHECK(sum == s.total);
    CHECK(s.first_line <= s.last_line);
    for (const Diagnostic& d : s.diagnostics) CHECK(d.format().find('\n') == std::string::npos);
  }
}

}  // namespace

// fuzz_parse: a function line followed by a line that is neither its file
// line nor blank made the parser take the function's arguments back out of
// Goroutine::args_text twice (drop_pending_function, then end_block): a
// size_t underflow and std::length_error from std::string::resize.
TEST_CASE("regress: function line without its file line") {
  auto l = load(regress_dir() / "parser-dropped-function-args.txt");
  check_invariants(l->result);
  // The header still counts; the stray function line is skipped.
  CHECK(l->result.ok);
  uint64_t total = 0;
  for (const Snapshot& s : l->result.snapshots) total += s.total;
  CHECK(total == 1);
  // Same shape with frames before and a second goroutine after.
  auto l2 = load_text(
      "goroutine 1 [running]:\nmain.g()\n\t/app/g.go:3 +0x1\nmain.f(0x1, 0x2)\n"
      "oops\ngoroutine 2 [select]:\nmain.h(0xc000012345)\n\t/app/h.go:9 +0x2\n");
  check_invariants(l2->result);
  uint64_t total2 = 0;
  for (const Snapshot& s : l2->result.snapshots) total2 += s.total;
  CHECK(total2 == 2);
}

// fuzz_diff: a debug=1 record `0 @ …` made a group of zero goroutines,
// which the diff and the reports then had to show. Such records (and counts
// above 2^40, which would let totals wrap around) are skipped with a warning
// naming the line.
TEST_CASE("regress: debug=1 record with a count of 0") {
  auto l = load(regress_dir() / "parser-zero-count-record.txt");
  check_invariants(l->result);
  REQUIRE(l->result.ok);
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  CHECK(s.total == 1);
  for (const Group& g : s.groups) CHECK(g.count > 0);
  bool named = false;
  for (const Diagnostic& d : s.diagnostics) named |= d.line == 2;
  CHECK(named);
}

// fuzz_rules: a YAML key holding a line break ended up verbatim in the
// "unknown field" message, so the diagnostic was two lines. Messages now
// escape control characters.
TEST_CASE("regress: rule diagnostics stay on one line") {
  RuleLoadResult r = parse_rule_text(read_file(regress_dir() / "rules-newline-in-key.yaml"),
                                     "rules-newline-in-key.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.rules.empty());
  for (const Diagnostic& d : r.diagnostics) {
    INFO(d.format());
    CHECK(d.format().find('\n') == std::string::npos);
    CHECK(d.format().find('\x01') == std::string::npos);
  }
  CHECK(r.diagnostics.front().message.find("\\n") != std::string::npos);
}

// fuzz_rules (ASan: stack-use-after-scope): MapReader bound a reference to
// `it->first` of a yaml-cpp map iterator, a member of a proxy that dies at
// the end of the statement. Any rule file triggered it. The loader now walks
// its own tree (YNode); the sanitizer build (.ci/sanitize.sh) catches a
// relapse here.
TEST_CASE("regress: every shipped rule file loads") {
  for (const fs::path& p : list_files(source_dir() / "rules", ".yaml")) {
    CAPTURE(p);
    RuleLoadResult r = parse_rule_text(read_file(p), p.filename().string());
    for (const Diagnostic& d : r.diagnostics) INFO(d.format());
    CHECK(r.ok());
    CHECK(!r.rules.empty());
  }
}

// Every reproducer in the directory, whatever its stage: no crash, and the
// invariants hold.
TEST_CASE("regress: every reproducer loads without breaking invariants") {
  for (const fs::path& p : list_files(regress_dir())) {
    CAPTURE(p);
    std::string name = p.filename().string();
    if (name.rfind("parser-", 0) == 0) {
      check_invariants(load(p)->result);
    } else if (name.rfind("rules-", 0) == 0) {
      RuleLoadResult r = parse_rule_text(read_file(p), name);
      for (const Diagnostic& d : r.diagnostics) CHECK(d.format().find('\n') == std::string::npos);
    }
  }
}
