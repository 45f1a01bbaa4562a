// probe, watch and history against running corpus programs (built with the
// Go toolchain found; skipped without one), checked against the programs'
// own ground truth:
//
// - `gorleak probe` finds series-send-leak's senders as stayed and
//   series-healthy-pool's busy workers as drained, with nothing but the
//   probe (the load command is the fault server's tiny HTTP client
//   switching the program's phases);
// - watch + history: growth across three runs of the watcher on one
//   database; a watcher killed with SIGKILL leaves a readable database with
//   every completed sample; two watchers write one file at once; several
//   instances of one service report their common leak site together.
//
// The leak profile is left out of the watches (--no-leak-profile): on Go
// 1.27 its marks make series-growth's own self-check refuse the next wave.
#include <doctest/doctest.h>

#include <signal.h>

#include <fstream>
#include <string>
#include <vector>

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

struct Binaries {
  std::optional<fs::path> faultserver, send_leak, healthy_pool, growth;
};

// Built once per test process; empty when there is no Go toolchain.
const Binaries& binaries() {
  static Binaries b = [] {
    Binaries out;
    auto go = find_go();
    if (!go) return out;
    std::string log;
    auto build = [&](const fs::path& dir) {
      auto bin = build_go_program(*go, dir, &log);
      if (!bin) FAIL("building ", dir.string(), ": ", log);
      return bin;
    };
    out.faultserver = build(source_dir() / "tests/live/faultserver");
    out.send_leak = build(source_dir() / "corpus/programs/series-send-leak");
    out.healthy_pool = build(source_dir() / "corpus/programs/series-healthy-pool");
    out.growth = build(source_dir() / "corpus/programs/series-growth");
    return out;
  }();
  return b;
}

#define SKIP_WITHOUT_GO()                                                         \
  if (!binaries().faultserver) {                                                  \
    MESSAGE("no Go toolchain (GORLEAK_GO, go on PATH, /opt/go/go-*): skipped"); \
    return;                                                                       \
  }

LiveProgram start(const std::optional<fs::path>& bin, const std::vector<std::string>& args = {}) {
  LiveProgram p = start_program(*bin, args);
  REQUIRE_MESSAGE(!p.addr.empty(), "the program did not get ready");
  return p;
}

void switch_phase(const LiveProgram& p, const std::string& phase) {
  REQUIRE(http_get_text("http://" + p.addr + "/phase?name=" + phase).has_value());
}

// The probe's load: switch to `loaded`, hold it, switch to `after`.
std::string load_command(const LiveProgram& p) {
  std::string get = shell_quote(binaries().faultserver->string()) + " get ";
  std::string base = "http://" + p.addr + "/phase?name=";
  return get + shell_quote(base + "loaded") + " >/dev/null && sleep 2 && " + get +
         shell_quote(base + "after") + " >/dev/null";
}

// The EXPECT line of `phase` whose `note` (or `rule`) is as given.
std::map<std::string, std::string> expect_of(LiveProgram& p, const std::string& phase,
                                             const std::string& key, const std::string& value) {
  p.process->wait_for_line("GORLEAK-EXPECT phase=" + phase, 30);
  for (const auto& e : expect_lines(*p.process))
    if (e.count("phase") && e.at("phase") == phase && e.count(key) && e.at(key) == value) return e;
  FAIL("no EXPECT line for phase ", phase, " with ", key, "=", value);
  return {};
}

Json parse(const std::string& text) {
  Json j;
  std::string err;
  REQUIRE_MESSAGE(parse_json(text, &j, &err), err);
  return j;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

std::vector<uint64_t> counts(const Json& row) {
  std::vector<uint64_t> out;
  for (const Json& c : row.at("counts").items) out.push_back(c.u64());
  return out;
}

}  // namespace

TEST_CASE("probe: a real leak stays, and the run replays from --out") {
  SKIP_WITHOUT_GO();
  LiveProgram p = start(binaries().send_leak);
  TempDir tmp;
  fs::path out = tmp.path / "run";
  RunResult r = run_cli({"probe", "http://" + p.addr, "--load", load_command(p), "--settle",
                         "500ms", "--format", "json", "--out", out.string(), "--fail-on", "growth"});
  INFO("stderr: ", r.err);
  REQUIRE(r.exit_code == 1);  // --fail-on growth: a likely leak
  auto leak = expect_of(p, "after", "rule", "chan-send-blocked");
  const uint64_t n = std::stoull(leak.at("count"));
  Json j = parse(r.out);
  CHECK(j.at("schema_version").u64() == 1);
  REQUIRE(j.at("likely_leaks").size() == 1);
  const Json& l = j.at("likely_leaks").at(0);
  CHECK(l.at("status").str() == "stayed");
  CHECK(l.at("grows").boolean);
  CHECK(l.at("site").at("func").str() == leak.at("site"));
  CHECK(counts(l) == std::vector<uint64_t>{0, n, n});
  // Growth that stayed makes a finding at least high (classify/evidence.h).
  const std::string severity = l.at("severity").str();
  CHECK((severity == "high" || severity == "critical"));
  CHECK(l.at("findings").at(0).at("rule").str() == "chan-send-blocked");
  CHECK(l.at("findings").at(0).at("growth_confirmed").boolean);
  CHECK(has(r.err, "probe: loaded: "));

  // --out kept one dump per phase, and replaying them gives the verdict.
  std::vector<std::string> files;
  for (const char* phase : {"idle-", "loaded-", "after-"})
    for (const auto& e : fs::directory_iterator(out))
      if (e.path().filename().string().rfind(phase, 0) == 0) files.push_back(e.path().string());
  REQUIRE(files.size() == 3);
  RunResult replay = run_cli({"diff", "--format", "json", files[0], files[1], files[2]});
  REQUIRE(replay.exit_code == 0);
  Json rj = parse(replay.out);
  REQUIRE(rj.at("likely_leaks").size() == 1);
  CHECK(counts(rj.at("likely_leaks").at(0)) == std::vector<uint64_t>{0, n, n});
}

TEST_CASE("probe: a real pool under load drains") {
  SKIP_WITHOUT_GO();
  LiveProgram p = start(binaries().healthy_pool);
  RunResult r = run_cli({"probe", "http://" + p.addr, "--load", load_command(p), "--settle",
                         "500ms", "--format", "json", "--fail-on", "growth"});
  INFO("stderr: ", r.err);
  CHECK(r.exit_code == 0);
  auto busy = expect_of(p, "loaded", "note", "busy_workers_waiting_for_the_backend");
  auto idle = expect_of(p, "after", "note", "idle_workers");
  Json j = parse(r.out);
  CHECK(j.at("likely_leaks").size() == 0);
  CHECK(has(j.at("verdict").str(), "no group grew under load and stayed"));
  bool drained = false;
  for (const Json& g : j.at("groups").items) {
    if (g.at("site").is_null() || g.at("site").at("func").str() != busy.at("site")) continue;
    CHECK(g.at("status").str() == "drained");
    CHECK(counts(g) == std::vector<uint64_t>{0, std::stoull(busy.at("count")), 0});
    CHECK_FALSE(g.at("grows").boolean);
    drained = true;
  }
  CHECK(drained);
  CHECK(std::stoull(idle.at("count")) == 6);
}

// gorleak restarts itself with glibc's hugetlb tunable (pipeline/huge_pages.h)
// and then puts the user's GLIBC_TUNABLES back: the load command sees the
// environment the user gave, whether the variable was set or not.
TEST_CASE("probe: the load command gets the user's environment") {
  SKIP_WITHOUT_GO();
  LiveProgram p = start(binaries().faultserver, {"-pprof"});
  TempDir tmp;
  const std::string seen = (tmp.path / "seen").string();
  const std::string load = "printf %s \"${GLIBC_TUNABLES-unset}\" > " + shell_quote(seen);
  for (const char* user : {"", "glibc.malloc.perturb=0"}) {
    CAPTURE(user);
    if (*user)
      setenv("GLIBC_TUNABLES", user, 1);
    else
      unsetenv("GLIBC_TUNABLES");
    RunResult r = run_cli({"probe", "http://" + p.addr, "--load", load, "--settle", "100ms",
                           "--format", "json"});
    unsetenv("GLIBC_TUNABLES");
    INFO("stderr: ", r.err);
    CHECK(r.exit_code == 0);
    CHECK(read_file(seen) == (*user ? user : "unset"));
  }
}

TEST_CASE("watch + history: growth across three runs of the watcher on one database") {
  SKIP_WITHOUT_GO();
  LiveProgram p = start(binaries().growth);
  TempDir tmp;
  std::string db = (tmp.path / "history.db").string();
  std::string url = "http://" + p.addr;
  std::vector<uint64_t> leaked;
  for (const char* phase : {"", "wave1", "wave2"}) {
    if (*phase) switch_phase(p, phase);
    leaked.push_back(*phase ? std::stoull(expect_of(p, phase, "rule", "chan-send-blocked").at("count")) : 0);
    RunResult r = run_cli({"watch", url, "--every", "200ms", "--samples", "2", "--db", db,
                           "--no-leak-profile", "--color", "never"});
    INFO("stderr: ", r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> lines = lines_of(r.out);
    REQUIRE(lines.size() >= 2);
    CHECK(has(lines[0], "sample 1"));
    CHECK(has(lines[1], "sample 2"));
  }
  REQUIRE(leaked.back() > leaked.front());
  RunResult h = run_cli({"history", "--db", db, "--color", "never"});
  INFO("history: ", h.out, h.err);
  REQUIRE(h.exit_code == 0);
  CHECK(has(h.out, "6 samples"));
  CHECK(has(h.out, "1 group grows"));
  CHECK(has(h.out, fmt::format("0 0 {0} {0} {1} {1}", leaked[1], leaked[2])));
  CHECK(has(h.out, "main.search.func1"));
  CHECK(has(h.out, "[growth-confirmed]"));
  CHECK(run_cli({"history", "--db", db, "--fail-on", "growth"}).exit_code == 1);
  CHECK(run_cli({"history", "--db", db, "--url", url}).exit_code == 0);
  CHECK(run_cli({"history", "--db", db, "--url", "http://127.0.0.1:1"}).exit_code == 2);
  // The JSON Lines export: one line per sample, each valid, counts as recorded.
  RunResult jl = run_cli({"history", "--db", db, "--format", "jsonl"});
  REQUIRE(jl.exit_code == 0);
  std::vector<std::string> rows = lines_of(jl.out);
  REQUIRE(rows.size() == 6);
  uint64_t last_leak = 0;
  Json last = parse(rows.back());
  for (const Json& g : last.at("groups").items)
    if (!g.at("site").is_null() && g.at("site").at("func").str() == "main.search.func1")
      last_leak += g.at("count").u64();
  CHECK(last_leak == leaked.back());
}

TEST_CASE("a watcher killed with SIGKILL leaves every completed sample readable") {
  SKIP_WITHOUT_GO();
  LiveProgram p = start(binaries().growth);
  TempDir tmp;
  std::string db = (tmp.path / "killed.db").string();
  Process w({cli_path(), "watch", "http://" + p.addr, "--every", "100ms", "--samples", "1000",
             "--db", db, "--format", "jsonl", "--no-leak-profile"});
  REQUIRE(w.started());
  REQUIRE(w.wait_for_lines("{\"schema_version\"", 5, 60) >= 5);
  // Lines are printed after their sample's commit: kill with more to come.
  size_t printed = 0;
  w.signal(SIGKILL);
  w.wait(10);
  for (const std::string& l : w.lines()) printed += l.rfind("{", 0) == 0;
  RunResult jl = run_cli({"history", "--db", db, "--format", "jsonl"});
  INFO("history: ", jl.err);
  REQUIRE(jl.exit_code == 0);
  size_t stored = lines_of(jl.out).size();
  CHECK(stored >= printed);
  CHECK(stored <= printed + 1);  // committed, killed before its line was written
  CHECK(run_cli({"history", "--db", db}).exit_code == 0);
  // The file takes more samples after the kill.
  CHECK(run_cli({"watch", "http://" + p.addr, "--every", "100ms", "--samples", "1", "--db", db,
                 "--no-leak-profile"}).exit_code == 0);
  CHECK(lines_of(run_cli({"history", "--db", db, "--format", "jsonl"}).out).size() == stored + 1);
}

TEST_CASE("two watchers write one database at once") {
  SKIP_WITHOUT_GO();
  LiveProgram p = start(binaries().growth);
  TempDir tmp;
  std::string db = (tmp.path / "shared.db").string();
  std::vector<std::string> args{cli_path(), "watch", "http://" + p.addr, "--every", "50ms",
                                "--samples", "15", "--db", db, "--format", "jsonl",
                                "--no-leak-profile"};
  Process a(args, (tmp.path / "a.err").string()), b(args, (tmp.path / "b.err").string());
  CHECK(a.wait(120) == 0);
  CHECK(b.wait(120) == 0);
  INFO("a: ", read_file(tmp.path / "a.err"), " b: ", read_file(tmp.path / "b.err"));
  RunResult jl = run_cli({"history", "--db", db, "--format", "jsonl", "--max-samples", "0"});
  REQUIRE(jl.exit_code == 0);
  CHECK(lines_of(jl.out).size() == 30);
}

TEST_CASE("several instances of one service: their common leak site reported together") {
  SKIP_WITHOUT_GO();
  LiveProgram one = start(binaries().growth), two = start(binaries().growth);
  TempDir tmp;
  fs::path targets = tmp.path / "targets.txt";
  std::ofstream(targets) << "# two instances of one service\n"
                         << "http://" << one.addr << " search\n"
                         << "http://" << two.addr << " search   # the second\n";
  std::string db = (tmp.path / "fleet.db").string();
  std::vector<std::string> watch{"watch", "--targets", targets.string(), "--every", "200ms",
                                 "--samples", "2", "--db", db, "--no-leak-profile", "--color",
                                 "never", "--max-connections", "2"};
  RunResult idle = run_cli(watch);
  REQUIRE(idle.exit_code == 0);
  CHECK(has(idle.out, one.addr + "/debug/pprof/goroutine?debug=2  sample 2"));
  CHECK(has(idle.out, two.addr + "/debug/pprof/goroutine?debug=2  sample 2"));
  CHECK(has(idle.out, "Leak sites across instances\n  no site grows on any instance"));
  switch_phase(one, "wave1");
  switch_phase(two, "wave1");
  uint64_t leaked = std::stoull(expect_of(one, "wave1", "rule", "chan-send-blocked").at("count")) +
                    std::stoull(expect_of(two, "wave1", "rule", "chan-send-blocked").at("count"));
  REQUIRE(run_cli(watch).exit_code == 0);
  RunResult h = run_cli({"history", "--db", db, "--color", "never"});
  INFO(h.out);
  REQUIRE(h.exit_code == 0);
  CHECK(has(h.out, "[search]: 4 samples"));
  CHECK(has(h.out, "Leak sites across instances"));
  CHECK(has(h.out, "main.search.func1"));
  CHECK(has(h.out, fmt::format("[search]: grows on 2 of 2 instances, +{} in all", leaked)));
}
