// `--format dot` drawn by Graphviz's own `dot`: corpus dumps, a diff and
// the hostile dump render without an error or warning, and the picture
// holds the names as text. The layout contract (docs/output.md#dot): the
// leaking groups come first and on the top rank, edges point from creator
// to created, drawn bottom to top. Skips (exit 77) without Graphviz.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "series_support.h"
#include "test_support.h"
#include "tool_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

TEST_CASE("dot: leaking groups first and on top, edges from creator to created") {
  fs::path dump = corpus_dumps_dir() / "send-leak.go1.27.debug2.txt";
  RunResult r = run_cli({"--format", "dot", dump.string()});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("digraph G {", 0) == 0);
  CHECK(r.out.find("rankdir=BT;") != std::string::npos);
  // Node 0 is the first node written: the leaking group (50 × chan send).
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"re(\n0\[label="([^"]*)")re")));
  CHECK(m[1].str().find("50 × chan send") == 0);
  CHECK(r.out.find("{rank=max; 0;}") != std::string::npos);
  // goroutine 1 created the 50: the edge runs from its node to node 0.
  REQUIRE(std::regex_search(r.out, m, std::regex(R"re(\n(\d+)\[label="goroutine 1\\ncreated \d+")re")));
  CHECK(r.out.find("\n" + m[1].str() + "->0 ") != std::string::npos);

  // In a diff, the group that stayed is the leaking one.
  fs::path d = corpus_dumps_dir();
  RunResult diff = run_cli({"diff", "--format", "dot",
                            (d / "series-send-leak.go1.27.idle.debug2.txt").string(),
                            (d / "series-send-leak.go1.27.loaded.debug2.txt").string(),
                            (d / "series-send-leak.go1.27.after.debug2.txt").string()});
  REQUIRE(std::regex_search(diff.out, m, std::regex(R"re(\n0\[label="([^"]*)")re")));
  CHECK(m[1].str().find("(stayed)") != std::string::npos);
}

TEST_CASE("dot: a group's creators beyond five fold into one node that keeps the count") {
  // body-leak: 23 readLoop goroutines, one per connection, each created by
  // its own (exited) dialing goroutine.
  for (const std::string& version : series_versions("body-leak")) {
    CAPTURE(version);
    fs::path dump = corpus_dumps_dir() / ("body-leak.go" + version + ".debug2.txt");
    RunResult r = run_cli({"--format", "dot", "--top", "0", dump.string()});
    REQUIRE(r.exit_code == 0);
    // Goroutines per group node, and what the edges into it say was created.
    std::map<std::string, uint64_t> group_count, created_in, edges_in;
    std::regex node(R"re(^(\d+)\[label="([\d,]+) × )re");
    std::regex creation(R"re(^(\d+)->(\d+) \[label="([\d,]+)( via [^"]*)?")re");
    std::istringstream lines(r.out);
    std::string line;
    std::smatch m;
    auto number = [](std::string digits) {
      std::erase(digits, ',');
      return std::stoull(digits);
    };
    bool folded = false;
    while (std::getline(lines, line)) {
      if (std::regex_search(line, m, node)) group_count[m[1]] = number(m[2]);
      if (std::regex_search(line, m, creation)) {
        created_in[m[2]] += number(m[3]);
        ++edges_in[m[2]];
      }
      folded = folded || line.find(" more goroutines\\ncreated ") != std::string::npos;
    }
    // Go < 1.21 names no parent goroutine: one created-by site per group.
    if (r.out.find("[label=\"goroutine ") != std::string::npos) CHECK(folded);
    size_t checked = 0;
    for (const auto& [id, count] : group_count) {
      if (!created_in.count(id)) continue;  // main, or no created-by line
      CAPTURE(id);
      CHECK(edges_in[id] <= 6);           // five creators and the fold
      CHECK(created_in[id] == count);     // every goroutine still counted once
      ++checked;
    }
    CHECK(checked >= 3);
  }
}

TEST_CASE("dot: Graphviz draws every graph, the hostile one included, without a complaint") {
  std::string dot = find_tool("GORLEAK_DOT", {"dot"});
  if (dot.empty()) {
    skip_test("Graphviz `dot` not installed (Debian package graphviz)");
    return;
  }
  fs::path d = corpus_dumps_dir();
  fs::path hostile = source_dir() / "tests/data/hostile/hostile.debug2.txt";
  std::vector<std::vector<std::string>> cases = {
      {"--format", "dot", (d / "spawn-tree.go1.27.debug2.txt").string()},
      {"--format", "dot", "--graph", "calls", (d / "states.go1.22.debug2.txt").string()},
      {"--format", "dot", (d / "body-leak.go1.19.debug2.txt").string(),
       (d / "send-leak.go1.19.sigquit.txt").string()},
      {"diff", "--format", "dot", (d / "series-drain.go1.27.idle.debug2.txt").string(),
       (d / "series-drain.go1.27.after.debug2.txt").string()},
      {"--format", "dot", "--top", "0", hostile.string()},
      {"--format", "dot", "--graph", "calls", "--top", "0", hostile.string()},
  };
  for (const auto& args : cases) {
    CAPTURE(args.back());
    RunResult r = run_cli(args);
    REQUIRE(r.exit_code == 0);
    RunResult svg = run_program({dot, "-Tsvg"}, r.out);
    INFO(svg.err);
    CHECK(svg.exit_code == 0);
    CHECK(svg.err.empty());
    CHECK(svg.out.find("<svg") != std::string::npos);
    if (args.back() == hostile.string()) {
      // Drawn as the text the escaper wrote, markup escaped by Graphviz.
      CHECK(svg.out.find("main.leak&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.func1") !=
                std::string::npos);
      CHECK(svg.out.find("main.title\\x1b]0;pwned\\x07clear\\x1b[2J") != std::string::npos);
      CHECK(svg.out.find("&amp;amp;") != std::string::npos);  // the name's own "&amp;"
      CHECK(svg.out.find("<script") == std::string::npos);
    }
  }
}
