// How diff and trend show their rows: the leak site in diff's format (never
// runtime.gopark for a runtime goroutine), the frame where a `new` and a
// `gone` row that print the same text differ, and the trend headline that
// agrees with its rows (0 → 88 → 88 grows). Small dumps written here, so
// the stacks are exactly the ones each case needs.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "json_check.h"
#include "live_support.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// `n` goroutines blocked in main.wait, reached through main.helper at
// /app/helper.go:LINE, plus `gc` runtime GC workers.
std::string dump(int n, int helper_line, int gc) {
  std::string out;
  int id = 10;
  for (int i = 0; i < n; ++i)
    out += fmt::format(
        "goroutine {} [chan receive]:\n"
        "main.wait(0xc000010000)\n\t/app/wait.go:7 +0x25\n"
        "main.helper(...)\n\t/app/helper.go:{}\n"
        "main.handle()\n\t/app/main.go:30 +0x1d\n"
        "created by main.serve in goroutine 1\n\t/app/main.go:20 +0x3e\n\n",
        id++, helper_line);
  for (int i = 0; i < gc; ++i)
    out += fmt::format(
        "goroutine {} [GC worker (idle)]:\n"
        "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/go/src/runtime/proc.go:402 +0xce\n"
        "runtime.gcBgMarkWorker()\n\t/go/src/runtime/mgc.go:1310 +0xe5\n"
        "created by runtime.gcBgMarkStartWorkers in goroutine 1\n\t/go/src/runtime/mgc.go:1234 +0x1c\n\n",
        id++);
  return out;
}

std::string write(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST_CASE("a new and a gone row that print the same text show the frame that differs") {
  TempDir tmp;
  std::string before = write(tmp.path, "before.txt", dump(12, 14, 0));
  std::string after = write(tmp.path, "after.txt", dump(12, 15, 0));  // a one-line change
  RunResult r = run_cli({"diff", "--color", "never", before, after});
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "differs at frame 1: main.helper  /app/helper.go:14"));
  CHECK(has(r.out, "differs at frame 1: main.helper  /app/helper.go:15"));
  // Rows that print differently need no such line.
  RunResult same = run_cli({"diff", "--color", "never", before, write(tmp.path, "more.txt", dump(20, 14, 0))});
  REQUIRE(same.exit_code == 0);
  CHECK_FALSE(has(same.out, "differs at"));
}

TEST_CASE("trend: the headline agrees with its rows; sites as diff prints them") {
  TempDir tmp;
  std::string idle = write(tmp.path, "idle.txt", dump(0, 14, 2));
  std::string loaded = write(tmp.path, "loaded.txt", dump(88, 14, 4));
  std::string again = write(tmp.path, "after.txt", dump(88, 14, 2));
  RunResult r = run_cli({"trend", "--color", "never", idle, loaded, again});
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "1 group grows (never shrinks, and rises by ≥ 5)"));
  CHECK_FALSE(has(r.out, "no group"));
  CHECK(has(r.out, "0 88 88"));
  CHECK(has(r.out, "grows +88"));
  // diff's site format: function, then the full path and line.
  CHECK(has(r.out, "chan receive  main.wait  /app/wait.go:7"));
  // A runtime goroutine shows at its entry point, never at runtime.gopark.
  CHECK(has(r.out, "runtime.gcBgMarkWorker  /go/src/runtime/mgc.go:1310"));
  CHECK_FALSE(has(r.out, "runtime.gopark  /go"));
  CHECK(has(r.out, "[growth-confirmed]"));

  CHECK(run_cli({"trend", "--fail-on", "growth", idle, loaded, again}).exit_code == 1);
  // Growth across the series raises the finding to high (classify/evidence.h).
  CHECK(run_cli({"trend", "--fail-on", "critical", idle, loaded, again}).exit_code == 0);
  CHECK(run_cli({"trend", "--fail-on", "high", idle, loaded, again}).exit_code == 1);
  CHECK(run_cli({"trend", "--fail-on", "growth", idle, idle, idle}).exit_code == 0);
  CHECK(run_cli({"trend", "--fail-on", "sometimes", idle, loaded}).exit_code == 2);
  CHECK(run_cli({"--fail-on", "growth", idle}).exit_code == 2);  // one dump: nothing to grow

  RunResult j = run_cli({"trend", "--format", "json", idle, loaded, again});
  REQUIRE(j.exit_code == 0);
  Json doc;
  std::string err;
  REQUIRE_MESSAGE(parse_json(j.out, &doc, &err), err);
  CHECK(doc.at("schema_version").u64() == 1);
  CHECK(doc.at("min_growth").u64() == 5);
  CHECK(doc.at("growing").u64() == 1);
  REQUIRE(doc.at("likely_leaks").size() == 1);
  const Json& leak = doc.at("likely_leaks").at(0);
  CHECK(leak.at("site").at("func").str() == "main.wait");
  CHECK(leak.at("grows").boolean);
  CHECK(leak.at("findings").size() >= 1);
  for (const Json& g : doc.at("groups").items)
    if (g.at("category").str() == "runtime") {
      CHECK(g.at("site").at("func").str() == "runtime.gcBgMarkWorker");
      CHECK(g.at("site_in_stdlib").boolean);
      CHECK_FALSE(g.at("grows").boolean);  // 2 → 4 → 2 shrinks
    }
}

TEST_CASE("diff JSON: a machine-readable verdict") {
  TempDir tmp;
  std::string idle = write(tmp.path, "idle.txt", dump(0, 14, 2));
  std::string loaded = write(tmp.path, "loaded.txt", dump(40, 14, 2));
  std::string drained = write(tmp.path, "drained.txt", dump(0, 14, 2));
  std::string stayed = write(tmp.path, "stayed.txt", dump(40, 14, 2));
  for (const auto& [last, leaks] : {std::pair{drained, 0}, std::pair{stayed, 1}}) {
    RunResult r = run_cli({"diff", "--format", "json", idle, loaded, last});
    REQUIRE(r.exit_code == 0);
    Json doc;
    std::string err;
    REQUIRE_MESSAGE(parse_json(r.out, &doc, &err), err);
    CHECK(doc.at("schema_version").u64() == 1);
    CHECK(doc.at("likely_leaks").size() == static_cast<size_t>(leaks));
    CHECK(run_cli({"diff", "--fail-on", "growth", idle, loaded, last}).exit_code == leaks);
  }
}
