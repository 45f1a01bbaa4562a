// `--format prometheus` checked by Prometheus's own promtool (`promtool
// check metrics`: the exposition syntax plus its lint rules) on corpus
// dumps, several dumps at once, and a hostile dump. Skips (exit 77)
// without promtool (Debian package prometheus, .ci/install-tools).
#include <doctest/doctest.h>

#include <string>

#include "test_support.h"
#include "tool_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

TEST_CASE("prometheus: promtool check metrics accepts every output") {
  std::string promtool = find_tool("GORLEAK_PROMTOOL", {"promtool"});
  if (promtool.empty()) {
    skip_test("promtool not installed (Debian package prometheus)");
    return;
  }
  std::vector<std::vector<std::string>> cases;
  for (const char* form : {".go1.22.debug2.txt", ".go1.27.leak1.txt"})
    for (const fs::path& p : list_files(corpus_dumps_dir(), form))
      cases.push_back({"--format", "prometheus", p.string()});
  cases.push_back({"--format", "prometheus",
                   (corpus_dumps_dir() / "send-leak.go1.27.debug2.txt").string(),
                   (corpus_dumps_dir() / "body-leak.go1.19.debug1.txt").string()});
  cases.push_back({"--format", "prometheus", "--metric-sites", "1",
                   (source_dir() / "tests/data/hostile/hostile.debug2.txt").string()});
  for (const auto& args : cases) {
    CAPTURE(args.back());
    RunResult r = run_cli(args);
    REQUIRE(r.exit_code == 0);
    RunResult check = run_program({promtool, "check", "metrics"}, r.out);
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK(check.err.empty());
  }
  MESSAGE(cases.size() << " outputs checked by promtool");
  CHECK(cases.size() >= 40);
}
