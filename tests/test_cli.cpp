// The gorleak executable: exit codes, one-line errors, options, stdin and
// several files, run as a user would run it.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "json_check.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

std::filesystem::path states_dump(const char* kind = "debug2") {
  return corpus_dumps_dir() / fmt::format("states.go1.22.{}.txt", kind);
}

// Errors are exactly one line on stderr: "gorleak: …\n".
void check_one_line_error(const RunResult& r) {
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("gorleak: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.out.empty());
}

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& content, const char* suffix = ".txt") {
    path = std::filesystem::temp_directory_path() /
           fmt::format("gorleak-cli-{}-{}{}", getpid(), counter()++, suffix);
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

}  // namespace

TEST_CASE("--help and --version exit 0") {
  RunResult h = run_cli({"--help"});
  CHECK(h.exit_code == 0);
  CHECK(h.out.find("Usage:") != std::string::npos);
  CHECK(h.out.find("Examples:") != std::string::npos);
  CHECK(h.out.find("--format") != std::string::npos);
  CHECK(h.out.find("Exit codes:") != std::string::npos);
  CHECK(h.err.empty());

  RunResult v = run_cli({"--version"});
  CHECK(v.exit_code == 0);
  // The commit the build was configured at, or why there is none.
  CHECK(v.out.rfind(fmt::format("gorleak {} (commit ", GORLEAK_VERSION), 0) == 0);
  CHECK(v.out.ends_with(")\n"));
  std::string commit = v.out.substr(v.out.find("(commit ") + 8);
  commit.resize(commit.size() - 2);
  bool hex = commit.size() == 12 && commit.find_first_not_of("0123456789abcdef") == std::string::npos;
  CHECK((hex || commit == "unknown: not built from a git checkout"));
}

TEST_CASE("bad input files exit 2 with one line on stderr") {
  SUBCASE("missing file") {
    RunResult r = run_cli({"/nonexistent/gorleak/dump.txt"});
    check_one_line_error(r);
    CHECK(r.err.find("/nonexistent/gorleak/dump.txt") != std::string::npos);
  }
  SUBCASE("directory") {
    RunResult r = run_cli({source_dir().string()});
    check_one_line_error(r);
    CHECK(r.err.find("directory") != std::string::npos);
  }
  SUBCASE("empty file") {
    TempFile empty("");
    RunResult r = run_cli({empty.path.string()});
    check_one_line_error(r);
    CHECK(r.err.find(empty.path.string()) != std::string::npos);
    CHECK(r.err.find("empty") != std::string::npos);
  }
  SUBCASE("empty standard input") {
    RunResult r = run_cli({"-"}, "");
    check_one_line_error(r);
    CHECK(r.err.find("empty") != std::string::npos);
  }
  SUBCASE("a later file fails: no partial report") {
    if (!std::filesystem::exists(states_dump())) return;
    RunResult r = run_cli({states_dump().string(), "/nonexistent/x.txt"});
    check_one_line_error(r);
  }
}

TEST_CASE("usage errors exit 2 with one line on stderr") {
  std::string dump = states_dump().string();
  SUBCASE("bad --match regex carries RE2's message") {
    RunResult r = run_cli({"--match", "(unclosed", dump});
    check_one_line_error(r);
    CHECK(r.err.find("--match") != std::string::npos);
    CHECK(r.err.find("missing )") != std::string::npos);
  }
  SUBCASE("bad --exclude regex") {
    RunResult r = run_cli({"--exclude", "a**", dump});
    check_one_line_error(r);
    CHECK(r.err.find("--exclude") != std::string::npos);
  }
  SUBCASE("unknown option") {
    RunResult r = run_cli({"--no-such-option", dump});
    check_one_line_error(r);
    CHECK(r.err.find("--no-such-option") != std::string::npos);
  }
  SUBCASE("bad values") {
    for (std::vector<std::string> args :
         {std::vector<std::string>{"--format", "xml"}, {"--color", "sometimes"},
          {"--group-by", "line"}, {"--top", "-1"}, {"--top", "ten"}, {"--min-count", "-2"},
          {"-j", "0"}}) {
      CAPTURE(args[0]);
      args.push_back(dump);
      check_one_line_error(run_cli(args));
    }
  }
  SUBCASE("no input") { check_one_line_error(run_cli({})); }
}

TEST_CASE("a real dump: text report, exit 0") {
  if (!std::filesystem::exists(states_dump())) {
    MESSAGE("states dump missing: skipped");
    return;
  }
  RunResult r = run_cli({states_dump().string(), "--color", "never"});
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("debug2 dump, 193 goroutines") != std::string::npos);
  CHECK(r.out.find("States") != std::string::npos);
  CHECK(r.out.find("\x1b[") == std::string::npos);

  // --color auto: stdout is a file here, so no colour; always forces it.
  RunResult a = run_cli({states_dump().string()});
  CHECK(a.out.find("\x1b[") == std::string::npos);
  RunResult c = run_cli({states_dump().string(), "--color", "always"});
  CHECK(c.out.find("\x1b[") != std::string::npos);
}

TEST_CASE("standard input and several files, in order, as JSON") {
  if (!std::filesystem::exists(states_dump()) || !std::filesystem::exists(states_dump("debug1"))) {
    MESSAGE("states dumps missing: skipped");
    return;
  }
  std::string text = read_file(states_dump());
  RunResult r = run_cli({"--format", "json", states_dump("debug1").string(), "-"}, text);
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  Json doc;
  std::string err;
  REQUIRE_MESSAGE(parse_json(r.out, &doc, &err), err);
  const Json& snaps = doc.at("snapshots");
  REQUIRE(snaps.size() == 2);
  CHECK(snaps.at(0).at("form").str() == "debug1");
  CHECK(snaps.at(0).at("total").u64() == 193);
  CHECK(snaps.at(0).at("declared_total").u64() == 193);
  CHECK(snaps.at(1).at("form").str() == "debug2");
  CHECK(snaps.at(1).at("source").str() == "-");
  CHECK(snaps.at(1).at("total").u64() == 193);

  // One stack table for all files: a stack both dumps show is printed once.
  RunResult same = run_cli({"--format", "json", states_dump().string(), states_dump().string()});
  REQUIRE(same.exit_code == 0);
  Json one_doc;
  REQUIRE(parse_json(run_cli({"--format", "json", states_dump().string()}).out, &one_doc, &err));
  REQUIRE(parse_json(same.out, &doc, &err));
  CHECK(doc.at("stacks").size() == one_doc.at("stacks").size());
  const Json& a = doc.at("snapshots").at(0).at("groups");
  const Json& b = doc.at("snapshots").at(1).at("groups");
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i)
    CHECK(a.at(i).at("stack").u64() == b.at(i).at("stack").u64());

  // --top limits JSON groups; indices still point into the full list.
  RunResult t = run_cli({"--format", "json", "--top", "3", states_dump().string()});
  REQUIRE(t.exit_code == 0);
  REQUIRE(parse_json(t.out, &doc, &err));
  const Json& s = doc.at("snapshots").at(0);
  CHECK(s.at("groups").size() == 3);
  CHECK(s.at("group_count").u64() > 3);
  CHECK(s.at("groups").at(2).at("index").u64() == 2);
}

TEST_CASE("--match / --min-count / --group-by reach the report") {
  if (!std::filesystem::exists(states_dump())) {
    MESSAGE("states dump missing: skipped");
    return;
  }
  std::string dump = states_dump().string();
  RunResult m = run_cli({"--format", "json", "--match", "main\\.chanSender", dump});
  REQUIRE(m.exit_code == 0);
  Json doc;
  std::string err;
  REQUIRE(parse_json(m.out, &doc, &err));
  const Json& groups = doc.at("snapshots").at(0).at("groups");
  REQUIRE(groups.size() == 1);
  CHECK(groups.at(0).at("count").u64() == 4);
  CHECK(groups.at(0).at("site").at("func").str() == "main.chanSender");

  RunResult f = run_cli({"--format", "json", "--group-by", "function", dump});
  REQUIRE(f.exit_code == 0);
  REQUIRE(parse_json(f.out, &doc, &err));
  REQUIRE(doc.at("stacks").size() > 0);
  for (const Json& g : doc.at("snapshots").at(0).at("groups").items)
    for (const Json& fr : report_stack(doc, g).at("frames").items) CHECK(fr.at("line").u64() == 0);
}
