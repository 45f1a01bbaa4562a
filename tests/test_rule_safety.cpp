// Rule files are written by hand and may come from anywhere: the loader
// must refuse what could cost unbounded time or memory — huge files, deep
// nesting, YAML anchors/aliases (billion laughs), regexes RE2 cannot run in
// linear time — with a clear one-line error, never a hang or a crash.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "bad_input_support.h"
#include "classify/rule_loader.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

// A complete, valid rule whose reason pattern is `pattern`.
std::string rule_with_reason(const std::string& id, const std::string& pattern) {
  return fmt::format(
      "  - id: {}\n"
      "    title: Test rule\n"
      "    severity: low\n"
      "    confidence: low\n"
      "    description: A test.\n"
      "    fix: None.\n"
      "    match:\n"
      "      state: {{reason: '{}'}}\n",
      id, pattern);
}

std::string first_message(const RuleLoadResult& r) {
  return r.diagnostics.empty() ? "" : r.diagnostics.front().format();
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

void check_one_line(const RuleLoadResult& r) {
  for (const Diagnostic& d : r.diagnostics) CHECK(!contains(d.format(), "\n"));
}

}  // namespace

TEST_CASE("a valid rule file loads (the baseline for the refusals below)") {
  RuleLoadResult r = parse_rule_text("rules:\n" + rule_with_reason("t-ok", "^chan send$"), "ok.yaml");
  INFO(first_message(r));
  CHECK(r.ok());
  CHECK(r.rules.size() == 1);
}

TEST_CASE("rule files over 4 MiB are refused before parsing") {
  std::string text = "rules:\n" + rule_with_reason("t-big", "x") + "# ";
  text += std::string(kMaxRuleFileBytes, 'x');
  text += "\n";
  RuleLoadResult r = parse_rule_text(text, "big.yaml");
  CHECK_FALSE(r.ok());
  CHECK(r.rules.empty());
  CHECK(contains(first_message(r), "4 MiB"));
  check_one_line(r);

  ScratchDir dir("rule-safety");
  fs::path p = dir.write("big.yaml", text);
  RuleLoader loader;
  CHECK_FALSE(loader.add_path(p.string()));
  REQUIRE_FALSE(loader.diagnostics().empty());
  CHECK(contains(loader.diagnostics().front().format(), "4 MiB"));

  fs::path dump = corpus_dumps_dir() / "send-leak.go1.27.debug2.txt";
  RunResult cli = run_cli({"--rules", p.string(), dump.string()});
  INFO(cli.err);
  CHECK(cli.exit_code == 2);
  CHECK(contains(cli.err, "4 MiB"));
}

TEST_CASE("deep nesting is refused, however deep") {
  for (int depth : {kMaxRuleFileDepth + 1, 200, 5000, 100000}) {
    CAPTURE(depth);
    std::string text = "rules: " + std::string(depth, '[') + std::string(depth, ']') + "\n";
    RuleLoadResult r = parse_rule_text(text, "deep.yaml");
    CHECK_FALSE(r.ok());
    CHECK(r.rules.empty());
    INFO(first_message(r));
    CHECK((contains(first_message(r), "nesting") || contains(first_message(r), "depth")));
    check_one_line(r);
  }
  // Block-style nesting too.
  std::string text = "rules:\n";
  std::string indent = "  ";
  for (int i = 0; i < 40; ++i) {
    text += indent + "- k:\n";
    indent += "    ";
  }
  text += indent + "- x\n";
  RuleLoadResult r = parse_rule_text(text, "deep-block.yaml");
  CHECK_FALSE(r.ok());
  CHECK(contains(first_message(r), "nesting"));
}

TEST_CASE("YAML anchors and aliases are refused (billion laughs)") {
  std::string laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (int i = 1; i < 9; ++i) {
    char prev = static_cast<char>('a' + i - 1), cur = static_cast<char>('a' + i);
    laughs += fmt::format("{0}: &{0} [*{1},*{1},*{1},*{1},*{1},*{1},*{1},*{1},*{1}]\n", cur, prev);
  }
  laughs += "rules: *i\n";
  RuleLoadResult r = parse_rule_text(laughs, "laughs.yaml");
  CHECK_FALSE(r.ok());
  INFO(first_message(r));
  CHECK((contains(first_message(r), "anchors") || contains(first_message(r), "aliases")));
  check_one_line(r);

  // A merge key is an alias too.
  std::string merge = "rules:\n" + rule_with_reason("t-base", "x") +
                      "  - &base {id: t-a, title: A, severity: low, confidence: low,"
                      " description: d, fix: f, match: {state: {reason: x}}}\n"
                      "  - <<: *base\n    id: t-b\n";
  RuleLoadResult m = parse_rule_text(merge, "merge.yaml");
  CHECK_FALSE(m.ok());
  CHECK(m.rules.empty());
  CHECK((contains(first_message(m), "anchors") || contains(first_message(m), "aliases")));
}

TEST_CASE("patterns are RE2: no backreferences or lookaround; what RE2 accepts runs in linear time") {
  for (const char* bad : {"(a)\\1", "(?=chan)send", "(?<!x)y", "a{1001}", "(?P<n>a)(?P=n)"}) {
    CAPTURE(bad);
    RuleLoadResult r = parse_rule_text("rules:\n" + rule_with_reason("t-re", bad), "re.yaml");
    CHECK_FALSE(r.ok());
    CHECK(r.rules.empty());
    CHECK(contains(first_message(r), "invalid regular expression"));
    check_one_line(r);
  }
  // The classic catastrophic-backtracking pattern is fine for RE2.
  RuleLoadResult r = parse_rule_text("rules:\n" + rule_with_reason("t-evil", "^(a+)+$"), "evil.yaml");
  CHECK(r.ok());
}

TEST_CASE("a rule file that is not YAML, or binary, says where") {
  for (const std::string& text :
       {std::string("rules: [\n  - id: x\n"), std::string("\x01\x02\x03\xff\xfe", 5),
        std::string("rules:\n  - id: t\n\ttitle: tab\n"), std::string("---\nrules: []\n---\nrules: []\n")}) {
    RuleLoadResult r = parse_rule_text(text, "bad.yaml");
    CHECK_FALSE(r.ok());
    CHECK(r.rules.empty());
    check_one_line(r);
    CHECK(contains(first_message(r), "bad.yaml"));
  }
}
