// A crash-looping service's log: a real Go program (tests/e2e/crashloop)
// started again and again by a shell "supervisor", each run dying of one of
// two panics. Identical crash records fold into the first (group/repeat_fold.h):
// the report has one section per distinct crash that says how many times it
// happened, in JSON and text, whatever -j; dumps of a process's state are
// never folded. Skipped (exit 77) without a Go toolchain.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "go_support.h"
#include "json_check.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

// 1-based numbers of the lines of `path` that start with `prefix`.
std::vector<uint64_t> lines_starting(const fs::path& path, const std::string& prefix) {
  std::ifstream in(path);
  std::vector<uint64_t> out;
  std::string line;
  for (uint64_t no = 1; std::getline(in, line); ++no)
    if (line.rfind(prefix, 0) == 0) out.push_back(no);
  return out;
}

}  // namespace

TEST_CASE("a crash loop's identical panics are one section that counts them") {
  auto go = find_go_or_skip("crash-loop test");
  if (!go) return;
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  std::string env = go_env(tmp.path / "gopath");
  fs::path bin = tmp.path / "crashloop";
  std::string out;
  int rc = run_shell(fmt::format("{}timeout 300 {} build -o {} {}", env, shell_quote(go->string()),
                                 shell_quote(bin.string()),
                                 shell_quote((source_dir() / "tests/e2e/crashloop/main.go").string())),
                     tmp.path / "build.log", &out);
  INFO("go build: ", out);
  REQUIRE(rc == 0);

  // The supervisor: five runs, the odd one out in the middle.
  fs::path log = tmp.path / "service.log";
  rc = run_shell(fmt::format("for kind in nilmap nilmap index nilmap nilmap; do "
                             "echo \"supervisor: starting crashloop ($kind)\"; "
                             "timeout 30 {} $kind; echo \"supervisor: exited with $?\"; done",
                             shell_quote(bin.string())),
                 log, &out);
  REQUIRE(rc == 0);
  std::vector<uint64_t> nilmap = lines_starting(log, "panic: assignment to entry in nil map");
  std::vector<uint64_t> index = lines_starting(log, "panic: runtime error: index out of range");
  REQUIRE(nilmap.size() == 4);
  REQUIRE(index.size() == 1);

  Json doc = json_of(run_cli({"--format", "json", "-j", "1", log.string()}));
  const auto& snaps = doc.at("snapshots").items;
  REQUIRE(snaps.size() == 2);
  const Json& first = snaps.at(0);
  CHECK(first.at("form").str() == "crash");
  CHECK(first.at("cause").str() == "panic: assignment to entry in nil map");
  CHECK(first.at("first_line").u64() == nilmap.front());
  CHECK(first.at("repeats").u64() == 3);
  CHECK(first.at("last_repeat_line").u64() == nilmap.back());
  const Json& second = snaps.at(1);
  CHECK(second.at("cause").str().rfind("panic: runtime error: index out of range", 0) == 0);
  CHECK(second.at("first_line").u64() == index.front());
  CHECK(second.at("repeats").u64() == 0);
  CHECK(second.at("last_repeat_line").is_null());
  // The crashing goroutine's stack is the program's, in every record.
  bool refresh_on_top = false;
  for (const Json& g : first.at("groups").items)
    for (const Json& f : report_stack(doc, g).at("frames").items)
      refresh_on_top |= f.at("func").str() == "main.(*cache).warm";
  CHECK(refresh_on_top);

  // The split loader folds the same records.
  RunResult j2 = run_cli({"--format", "json", "-j", "2", log.string()});
  CHECK(j2.out == run_cli({"--format", "json", "-j", "1", log.string()}).out);

  RunResult text = run_cli({"--format", "text", log.string()});
  CHECK(text.out.find(fmt::format("4 crashes with the same cause and stack (3 more after this "
                                  "one, the last at line {})",
                                  nilmap.back())) != std::string::npos);
  CHECK(text.out.find("=== snapshot 2 of 2 ===") != std::string::npos);
}

TEST_CASE("dumps of a process's state are a series and are never folded") {
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  for (const char* name : {"send-leak.go1.22.debug2.txt", "send-leak.go1.22.debug1.txt"}) {
    fs::path dump = corpus_dumps_dir() / name;
    CAPTURE(dump);
    REQUIRE(fs::exists(dump));
    std::string text;
    {
      std::ifstream in(dump, std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    fs::path twice = tmp.path / "twice.txt";
    write_file(twice, text + "\n" + text);
    Json doc = json_of(run_cli({"--format", "json", twice.string()}));
    const auto& snaps = doc.at("snapshots").items;
    REQUIRE(snaps.size() == 2);
    CHECK(snaps.at(0).at("repeats").u64() == 0);
    CHECK(snaps.at(1).at("repeats").u64() == 0);
    CHECK(snaps.at(0).at("total").u64() == snaps.at(1).at("total").u64());
  }
}
