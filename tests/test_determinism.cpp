// Same input, same bytes out: every output format, across runs and across
// -j (parallel parsing must not change a byte). Ties in every ordering are
// broken explicitly, so nothing may depend on hash order or timing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

// One dump of each form, from two Go versions.
std::vector<fs::path> sample_dumps() {
  std::vector<fs::path> out;
  for (const char* name :
       {"send-leak.go1.27.debug1.txt", "send-leak.go1.27.debug2.txt",
        "send-leak.go1.27.sigquit.txt", "send-leak.go1.27.leak1.txt",
        "send-leak.go1.27.leak2.txt", "body-leak.go1.19.debug2.txt",
        "body-leak.go1.19.sigquit.txt", "body-leak.go1.22.debug1.txt"}) {
    fs::path p = corpus_dumps_dir() / name;
    if (fs::exists(p)) out.push_back(p);
  }
  return out;
}

}  // namespace

TEST_CASE("analyze: byte-identical text and JSON across runs and -j") {
  std::vector<fs::path> dumps = sample_dumps();
  REQUIRE(dumps.size() >= 5);
  for (const fs::path& p : dumps) {
    CAPTURE(p);
    for (const char* format : {"text", "json"}) {
      CAPTURE(format);
      RunResult first = run_cli({"--format", format, "--top", "0", p.string()});
      REQUIRE(first.exit_code != 2);
      CHECK(!first.out.empty());
      RunResult again = run_cli({"--format", format, "--top", "0", p.string()});
      CHECK(again.out == first.out);
      CHECK(again.err == first.err);
      for (const char* jobs : {"1", "2", "4"}) {
        CAPTURE(jobs);
        RunResult par = run_cli({"--format", format, "--top", "0", "-j", jobs, p.string()});
        CHECK(par.exit_code == first.exit_code);
        CHECK(par.out == first.out);
      }
    }
  }
}

TEST_CASE("analyze: several files at once, same bytes every time") {
  std::vector<fs::path> dumps = sample_dumps();
  REQUIRE(dumps.size() >= 3);
  std::vector<std::string> args = {"--format", "json"};
  for (const fs::path& p : dumps) args.push_back(p.string());
  RunResult first = run_cli(args);
  REQUIRE(first.exit_code != 2);
  args.insert(args.begin(), {"-j", "2"});
  for (int i = 0; i < 3; ++i) CHECK(run_cli(args).out == first.out);
}

TEST_CASE("diff: same bytes every time") {
  fs::path a = corpus_dumps_dir() / "series-body-leak.go1.27.idle.leak1.txt";
  fs::path b = corpus_dumps_dir() / "series-body-leak.go1.27.loaded.leak1.txt";
  fs::path c = corpus_dumps_dir() / "series-body-leak.go1.27.after.leak1.txt";
  if (!fs::exists(a) || !fs::exists(b) || !fs::exists(c)) {
    MESSAGE("series dumps not in corpus/dumps yet; skipping");
    return;
  }
  for (const char* format : {"text", "json"}) {
    CAPTURE(format);
    RunResult first = run_cli({"diff", "--format", format, a.string(), b.string(), c.string()});
    INFO(first.err);
    REQUIRE(first.exit_code != 2);
    CHECK(!first.out.empty());
    for (int i = 0; i < 2; ++i)
      CHECK(run_cli({"diff", "--format", format, a.string(), b.string(), c.string()}).out ==
            first.out);
  }
}

TEST_CASE("goleak options, the summary and redact: the same bytes every time") {
  std::vector<fs::path> dumps = sample_dumps();
  REQUIRE(dumps.size() >= 5);
  for (const fs::path& p : dumps) {
    CAPTURE(p);
    std::vector<std::vector<std::string>> runs = {
        {"--format", "goleak", "--top", "0"}, {"--summary", "--top", "0"}, {"redact"},
        {"redact", "--hash-funcs", "--hash-paths"}, {"redact", "--check"}};
    for (std::vector<std::string> args : runs) {
      args.push_back(p.string());
      RunResult first = run_cli(args);
      REQUIRE(first.exit_code == 0);
      CHECK(!first.out.empty());
      CHECK(run_cli(args).out == first.out);
      if (args[0] != "redact") {
        args.insert(args.begin(), {"-j", "3"});
        CHECK(run_cli(args).out == first.out);
      }
    }
  }
}
