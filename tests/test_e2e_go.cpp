// End to end with a real Go toolchain: build tests/e2e/leaky, let it park
// goroutines in known states and write its own debug=2 and debug=1 dumps,
// then run the built `gorleak --format json` on both and compare with the
// counts the program printed about itself. Skipped (with a message) when no
// Go toolchain is installed.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "go_support.h"
#include "json_check.h"
#include "live_support.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

// `KEY a=1 b=2` line of the program's output.
std::map<std::string, uint64_t> counts_line(const std::string& out, const std::string& key) {
  std::map<std::string, uint64_t> m;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + " ", 0) != 0) continue;
    std::istringstream words(line.substr(key.size() + 1));
    std::string w;
    while (words >> w) {
      size_t eq = w.rfind('=');
      if (eq != std::string::npos) m[w.substr(0, eq)] = std::stoull(w.substr(eq + 1));
    }
  }
  return m;
}

// Sum of group counts per first main.* frame, from gorleak's JSON groups
// and the stack table of the report `doc`.
std::map<std::string, uint64_t> sites_of(const Json& doc, const Json& snapshot) {
  std::map<std::string, uint64_t> m;
  for (const Json& g : snapshot.at("groups").items) {
    for (const Json& f : report_stack(doc, g).at("frames").items) {
      const std::string& fn = f.at("func").str();
      if (fn.rfind("main.", 0) == 0) {
        m[fn] += g.at("count").u64();
        break;
      }
    }
  }
  return m;
}

}  // namespace

TEST_CASE("gorleak reports the counts a real Go program printed about itself") {
  auto go = find_go_or_skip("end-to-end test");
  if (!go) return;
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  fs::path src = source_dir() / "tests/e2e/leaky/main.go";
  REQUIRE(fs::exists(src));
  fs::path bin = tmp.path / "leaky";
  std::string env = go_env(tmp.path / "gopath");

  std::string out;
  int rc = run_shell(env + "timeout 50 " + shell_quote(go->string()) + " version",
                     tmp.path / "version.log", &out);
  INFO("go: ", go->string(), " ", out);
  REQUIRE(rc == 0);
  MESSAGE("end-to-end with ", out);

  rc = run_shell(fmt::format("cd {} && {}timeout 300 {} build -o {} {}",
                             shell_quote(tmp.path.string()), env, shell_quote(go->string()),
                             shell_quote(bin.string()), shell_quote(src.string())),
                 tmp.path / "build.log", &out);
  INFO("go build: ", out);
  REQUIRE(rc == 0);

  fs::path d2 = tmp.path / "leaky.debug2.txt", d1 = tmp.path / "leaky.debug1.txt";
  rc = run_shell(fmt::format("timeout 30 {} {} {}", shell_quote(bin.string()),
                             shell_quote(d2.string()), shell_quote(d1.string())),
                 tmp.path / "run.log", &out);
  INFO("leaky: ", out);
  REQUIRE(rc == 0);
  auto printed = counts_line(out, "COUNT");
  auto printed_sites = counts_line(out, "SITE");
  REQUIRE(printed.count("total"));
  REQUIRE(printed_sites.size() >= 7);
  CHECK(printed.at("total") > 90);

  // debug=2: total, every state category and every site.
  {
    RunResult r = run_cli({"--format", "json", d2.string()});
    INFO("gorleak debug2: ", r.err);
    REQUIRE(r.exit_code == 0);
    Json j;
    std::string err;
    REQUIRE_MESSAGE(parse_json(r.out, &j, &err), err);
    REQUIRE(j.at("snapshots").size() == 1);
    const Json& s = j.at("snapshots").at(0);
    CHECK(s.at("form").str() == "debug2");
    CHECK(s.at("total").u64() == printed.at("total"));
    CHECK(s.at("skipped_lines").u64() == 0);
    const Json& states = s.at("states");
    uint64_t state_total = 0;
    for (const auto& [name, v] : states.members) state_total += v.u64();
    CHECK(state_total == printed.at("total"));
    for (const auto& [key, want] : printed) {
      if (key == "total") continue;
      std::string category = key;
      std::replace(category.begin(), category.end(), '_', ' ');
      const Json* have = states.get(category);
      INFO("state: ", category);
      CHECK((have ? have->u64() : 0) == want);
    }
    auto sites = sites_of(j, s);
    for (const auto& [site, want] : printed_sites) {
      INFO("site: ", site);
      CHECK(sites[site] == want);
    }
  }

  // debug=1: no states, but the same total and the same sites.
  {
    RunResult r = run_cli({"--format", "json", d1.string()});
    INFO("gorleak debug1: ", r.err);
    REQUIRE(r.exit_code == 0);
    Json j;
    std::string err;
    REQUIRE_MESSAGE(parse_json(r.out, &j, &err), err);
    REQUIRE(j.at("snapshots").size() == 1);
    const Json& s = j.at("snapshots").at(0);
    CHECK(s.at("form").str() == "debug1");
    CHECK(s.at("total").u64() == printed.at("total"));
    CHECK(s.at("skipped_lines").u64() == 0);
    auto sites = sites_of(j, s);
    for (const auto& [site, want] : printed_sites) {
      INFO("site: ", site);
      CHECK(sites[site] == want);
    }
  }
}
