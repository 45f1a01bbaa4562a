// gorleak and real Go programs, end to end (needs a Go toolchain: the
// whole file is skipped, exit 77, without one; GORLEAK_GO picks it):
//   - a baseline written from one run of a program suppresses exactly its
//     findings on later runs (other goroutine ids, addresses and counts),
//     and a new leak shows through (tests/e2e/restart);
//   - --format goleak prints Go that `go vet` accepts against the real
//     go.uber.org/goleak (Debian's golang-uber-goleak-dev, GOPATH mode);
//   - goleak's own failure output, from a real failing `go test`, is read
//     and classified.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "go_support.h"
#include "json_check.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

constexpr const char* kGoleakSrc = "/usr/share/gocode/src/go.uber.org/goleak";

// Debian's golang-uber-goleak-dev; false (with a message) when absent.
bool have_goleak() {
  if (fs::exists(fs::path(kGoleakSrc) / "options.go")) return true;
  MESSAGE("go.uber.org/goleak is not installed (Debian: golang-uber-goleak-dev): skipped");
  return false;
}

// The toolchain, or the whole file is skipped (ctest SKIP).
fs::path require_go() {
  auto go = find_go();
  if (!go) {
    MESSAGE("no Go toolchain (GORLEAK_GO, go on PATH, /opt/go/go-*): skipped");
    std::exit(77);
  }
  return *go;
}

}  // namespace

TEST_CASE("a baseline from one run suppresses exactly its findings on the next runs") {
  fs::path go = require_go();
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  std::string env = go_env(tmp.path / "gopath");
  fs::path bin = tmp.path / "restart";
  std::string out;
  int rc = run_shell(fmt::format("{}timeout 300 {} build -o {} {}", env, shell_quote(go.string()),
                                 shell_quote(bin.string()),
                                 shell_quote((source_dir() / "tests/e2e/restart/main.go").string())),
                     tmp.path / "build.log", &out);
  INFO("go build: ", out);
  REQUIRE(rc == 0);
  auto run = [&](const std::string& name, int senders, bool extra) {
    fs::path dump = tmp.path / (name + ".txt");
    std::string log;
    int code = run_shell(fmt::format("timeout 60 {} {} {}{}", shell_quote(bin.string()),
                                     shell_quote(dump.string()), senders, extra ? " extra" : ""),
                         tmp.path / (name + ".log"), &log);
    INFO(name, ": ", log);
    REQUIRE(code == 0);
    return dump;
  };
  fs::path first = run("first", 20, false);
  fs::path restarted = run("restarted", 33, false);
  fs::path grown = run("grown", 25, true);

  Json base = json_of(run_cli({"--format", "json", first.string()}));
  const Json& findings = base.at("snapshots").at(0).at("findings");
  REQUIRE(findings.size() >= 2);  // the blocked senders and the nil-channel waiters
  fs::path file = tmp.path / "baseline.yaml";
  RunResult w = run_cli({"baseline", "write", file.string(), first.string()});
  REQUIRE(w.exit_code == 0);

  // Restarted: every goroutine id, address and count differs; nothing new.
  RunResult r = run_cli({"--baseline", file.string(), "--fail-on", "info", "--format", "json",
                         restarted.string()});
  CHECK(r.exit_code == 0);
  Json again = json_of(r);
  const Json& s = again.at("snapshots").at(0);
  CHECK(s.at("suppressed_findings").u64() == findings.size());
  CHECK(s.at("findings").size() == 0);

  // The same program with a new leak: exactly that one shows through, and
  // the gate names it.
  RunResult g = run_cli({"--baseline", file.string(), "--fail-on", "info", "--format", "json",
                         grown.string()});
  CHECK(g.exit_code == 1);
  Json grew = json_of(g);
  const Json& gs = grew.at("snapshots").at(0);
  CHECK(gs.at("suppressed_findings").u64() == findings.size());
  REQUIRE(gs.at("findings").size() == 1);
  const Json& fresh = gs.at("findings").at(0);
  CHECK(fresh.at("site").at("func").str() == "main.awaitShutdown");
  CHECK(fresh.at("count").u64() == 17);
  CHECK(g.err == fmt::format("gorleak: 1 finding at or above info: {} at main.go:34 ({} suppressed "
                             "by --baseline)\n",
                             fresh.at("rule").str(), findings.size()));
}

TEST_CASE("--format goleak prints Go that go vet accepts against go.uber.org/goleak") {
  fs::path go = require_go();
  if (!have_goleak()) return;
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  // goleak as Debian ships it, plus IgnoreAnyFunction with the signature it
  // has from v1.3.0 on (Debian's is older) when this copy lacks it.
  fs::path gopath = tmp.path / "gopath";
  fs::path lib = gopath / "src/go.uber.org/goleak";
  fs::create_directories(lib.parent_path());
  fs::copy(kGoleakSrc, lib, fs::copy_options::recursive);
  if (read_file(lib / "options.go").find("func IgnoreAnyFunction(") == std::string::npos)
    write_file(lib / "ignore_any_v1_3.go",
          "package goleak\n\n"
          "// IgnoreAnyFunction as goleak v1.3.0 declares it (test stand-in).\n"
          "func IgnoreAnyFunction(f string) Option { return IgnoreTopFunction(f) }\n");

  std::string body;
  size_t options = 0;
  for (const char* dump : {"states.go1.22.debug2.txt", "labels.go1.27.debug2.txt",
                           "healthy-server.go1.19.sigquit.txt", "spawn-tree.go1.22.debug1.txt"}) {
    RunResult r = run_cli({"--format", "goleak", (corpus_dumps_dir() / dump).string()});
    REQUIRE(r.exit_code == 0);
    body += r.out;
    for (size_t at = r.out.find("goleak.Ignore"); at != std::string::npos;
         at = r.out.find("goleak.Ignore", at + 1))
      ++options;
  }
  // Hostile names too: they must stay inert string literals.
  RunResult h = run_cli({"--format", "goleak", "-"},
                        "goroutine 5 [select]:\nmain.x\"y\\z\x1b[2J\xe2\x80\xae()\n\t/a/main.go:3 +0x1\n");
  REQUIRE(h.exit_code == 0);
  body += h.out;
  ++options;
  REQUIRE(options >= 10);
  write_file(gopath / "src/leakopts/opts.go",
        "package leakopts\n\nimport \"go.uber.org/goleak\"\n\n// Options gorleak printed.\n"
        "var Options = []goleak.Option{\n" + body + "}\n");
  std::string out;
  int rc = run_shell(fmt::format("cd {} && {}timeout 300 {} vet leakopts", shell_quote(tmp.path.string()),
                                 go_env(gopath), shell_quote(go.string())),
                     tmp.path / "vet.log", &out);
  INFO("go vet: ", out);
  INFO(body);
  CHECK(rc == 0);
  MESSAGE("go vet accepted ", options, " goleak options");
}

TEST_CASE("goleak's own failure output, from a real go test, is read and classified") {
  fs::path go = require_go();
  if (!have_goleak()) return;
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  fs::path gopath = tmp.path / "gopath";
  write_file(gopath / "src/leakpkg/leak_test.go",
        "package leakpkg\n\nimport (\n\t\"testing\"\n\n\t\"go.uber.org/goleak\"\n)\n\n"
        "var never = make(chan int)\n\nfunc waitForever() { <-never }\n\n"
        "func TestLeaks(t *testing.T) {\n\tdefer goleak.VerifyNone(t)\n"
        "\tfor i := 0; i < 3; i++ {\n\t\tgo waitForever()\n\t}\n}\n");
  std::string out;
  int rc = run_shell(fmt::format("cd {} && {}timeout 300 {} test -count=1 leakpkg",
                                 shell_quote(tmp.path.string()), go_env(gopath),
                                 shell_quote(go.string())),
                     tmp.path / "test.log", &out);
  INFO("go test: ", out);
  REQUIRE(rc == 1);  // goleak failed the test
  REQUIRE(out.find("found unexpected goroutines") != std::string::npos);

  Json j = json_of(run_cli({"--format", "json", (tmp.path / "test.log").string()}));
  REQUIRE(j.at("snapshots").size() == 1);
  const Json& s = j.at("snapshots").at(0);
  CHECK(s.at("total").u64() == 3);
  CHECK(s.at("cause").str() == "goleak: found unexpected goroutines");
  REQUIRE(s.at("group_count").u64() == 1);
  // Every goroutine a goleak report lists is a leak by definition, once the
  // parser marks the snapshot as that report (leak_report).
  const Json* report = s.get("leak_report");
  if (report == nullptr) {
    MESSAGE("this build's JSON has no leak_report: classification check skipped");
    return;
  }
  CHECK(report->str() == "goleak");
  REQUIRE(s.at("findings").size() >= 1);
  const Json& f = s.at("findings").at(0);
  CHECK(f.at("count").u64() == 3);
  CHECK(f.at("site").at("func").str() == "leakpkg.waitForever");
}
