// Same input, same bytes out: every output format of the format table
// (report/format.h), across runs and across -j (parallel parsing must not
// change a byte), for analyze, diff and trend. Ties in every ordering are
// broken explicitly, so nothing may depend on hash order or timing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "report/format.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

// One dump of each form, from two Go versions.
// Every format `use` supports, from the table: a new format is covered
// without touching this file.
std::vector<std::string> formats_for(FormatUse use) {
  std::vector<std::string> out;
  for (const Format& f : formats())
    if (f.supports(use)) out.emplace_back(f.name);
  return out;
}

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

TEST_CASE("analyze: byte-identical output in every format across runs and -j") {
  std::vector<fs::path> dumps = sample_dumps();
  REQUIRE(dumps.size() >= 5);
  std::vector<std::string> all = formats_for(FormatUse::kAnalyze);
  REQUIRE(all.size() >= 8);
  for (const fs::path& p : dumps) {
    CAPTURE(p);
    for (const std::string& format : all) {
      CAPTURE(format);
      std::vector<std::string> args = {"--format", format, "--top", "0", p.string()};
      if (format == "jsonl") args.insert(args.begin(), {"--jsonl", "groups"});
      RunResult first = run_cli(args);
      REQUIRE(first.exit_code != 2);
      CHECK(!first.out.empty());
      // Run again, one thread and four: the same bytes each time.
      for (const char* jobs : {"1", "4"}) {
        CAPTURE(jobs);
        std::vector<std::string> par_args = args;
        par_args.insert(par_args.begin(), {"-j", jobs});
        RunResult par = run_cli(par_args);
        CHECK(par.exit_code == first.exit_code);
        CHECK(par.out == first.out);
        CHECK(par.err == first.err);
      }
    }
  }
}

TEST_CASE("analyze: several files at once, same bytes every time") {
  std::vector<fs::path> dumps = sample_dumps();
  REQUIRE(dumps.size() >= 3);
  for (const std::string& format : formats_for(FormatUse::kAnalyze)) {
    CAPTURE(format);
    std::vector<std::string> args = {"--format", format};
    for (const fs::path& p : dumps) args.push_back(p.string());
    RunResult first = run_cli(args);
    REQUIRE(first.exit_code != 2);
    args.insert(args.begin(), {"-j", "2"});
    for (int i = 0; i < 2; ++i) CHECK(run_cli(args).out == first.out);
  }
}

TEST_CASE("diff and trend: same bytes every time, in every format") {
  fs::path a = corpus_dumps_dir() / "series-body-leak.go1.27.idle.debug2.txt";
  fs::path b = corpus_dumps_dir() / "series-body-leak.go1.27.loaded.debug2.txt";
  fs::path c = corpus_dumps_dir() / "series-body-leak.go1.27.after.debug2.txt";
  if (!fs::exists(a) || !fs::exists(b) || !fs::exists(c)) {
    MESSAGE("series dumps not in corpus/dumps yet; skipping");
    return;
  }
  for (const char* command : {"diff", "trend"}) {
    CAPTURE(command);
    for (const std::string& format :
         formats_for(std::string_view(command) == "diff" ? FormatUse::kDiff : FormatUse::kTrend)) {
      CAPTURE(format);
      std::vector<std::string> args = {command, "--format", format, a.string(), b.string(), c.string()};
      RunResult first = run_cli(args);
      INFO(first.err);
      REQUIRE(first.exit_code != 2);
      CHECK(!first.out.empty());
      for (int i = 0; i < 2; ++i) CHECK(run_cli(args).out == first.out);
      args.insert(args.begin() + 1, {"-j", "2"});
      CHECK(run_cli(args).out == first.out);
    }
  }
}

TEST_CASE("trend: same bytes every time") {
  fs::path a = corpus_dumps_dir() / "series-send-leak.go1.22.idle.debug2.txt";
  fs::path b = corpus_dumps_dir() / "series-send-leak.go1.22.loaded.debug2.txt";
  fs::path c = corpus_dumps_dir() / "series-send-leak.go1.22.after.debug2.txt";
  if (!fs::exists(a) || !fs::exists(b) || !fs::exists(c)) {
    MESSAGE("series dumps not in corpus/dumps yet; skipping");
    return;
  }
  for (const char* format : {"text", "json"}) {
    CAPTURE(format);
    RunResult first = run_cli({"trend", "--format", format, a.string(), b.string(), c.string()});
    REQUIRE(first.exit_code == 0);
    for (const char* jobs : {"1", "2"})
      CHECK(run_cli({"trend", "-j", jobs, "--format", format, a.string(), b.string(), c.string()})
                .out == first.out);
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
