// `--format folded`: one `frame;…;frame COUNT` line per group, root first,
// with the counts adding up to the dump's goroutines, optional state and
// snapshot frames, and names that can never split a frame or a line.
// speedscope's importer reads the same output in test_folded_speedscope.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "json_check.h"
#include "model/user_code.h"
#include "report/folded_writer.h"
#include "report_support.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

struct Line {
  std::vector<std::string> frames;
  uint64_t count = 0;
};

// The format as flamegraph.pl reads it: the count after the last space.
std::vector<Line> parse_folded(const std::string& text) {
  std::vector<Line> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    REQUIRE(nl != std::string::npos);  // every line ends with a newline
    std::string line = text.substr(i, nl - i);
    i = nl + 1;
    size_t sp = line.rfind(' ');
    REQUIRE(sp != std::string::npos);
    Line l;
    l.count = std::stoull(line.substr(sp + 1));
    std::string stack = line.substr(0, sp);
    size_t k = 0;
    while (true) {
      size_t semi = stack.find(';', k);
      l.frames.push_back(stack.substr(k, semi == std::string::npos ? std::string::npos : semi - k));
      if (semi == std::string::npos) break;
      k = semi + 1;
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

TEST_CASE("folded: every group once, root first, counts adding up to the dump") {
  size_t dumps = 0, lines = 0;
  for (const fs::path& p : list_files(corpus_dumps_dir(), ".txt")) {
    std::string name = p.filename().string();
    if (name.find(".go1.27.") == std::string::npos && name.find(".go1.19.") == std::string::npos)
      continue;
    CAPTURE(p);
    auto l = load(p);
    REQUIRE(l->result.ok);
    std::vector<Line> folded = parse_folded(render(*l, "folded"));
    REQUIRE(l->result.snapshots.size() >= 1);
    size_t at = 0;
    uint64_t total = 0;
    for (const Snapshot& s : l->result.snapshots) {
      for (const Group& g : s.groups) {
        REQUIRE(at < folded.size());
        const Line& line = folded[at++];
        const Stack& stack = l->catalog.stacks.get(g.stack);
        CHECK(line.count == g.count);
        std::vector<std::string> frames = line.frames;
        if (l->result.snapshots.size() > 1) frames.erase(frames.begin());  // "#N source"
        std::vector<std::string> want;
        for (size_t k = stack.frames.size(); k-- > 0;)
          want.emplace_back(l->catalog.str(stack.frames[k].func));
        if (want.empty()) want.push_back("[no frames]");
        if (stack.elided_count == 0) CHECK(frames == want);
        else CHECK(frames.size() == want.size() + 1);
        total += g.count;
      }
    }
    CHECK(at == folded.size());
    uint64_t snapshots_total = 0;
    for (const Snapshot& s : l->result.snapshots) snapshots_total += s.total;
    CHECK(total == snapshots_total);
    ++dumps;
    lines += folded.size();
  }
  MESSAGE(dumps << " dumps, " << lines << " folded lines");
  CHECK(dumps >= 100);
}

TEST_CASE("folded: --folded-state starts with the state, several dumps with their name") {
  fs::path a = corpus_dumps_dir() / "send-leak.go1.27.debug2.txt";
  fs::path b = corpus_dumps_dir() / "body-leak.go1.19.debug1.txt";
  RunResult r = run_cli({"--format", "folded", "--folded-state", a.string(), b.string()});
  REQUIRE(r.exit_code == 0);
  std::vector<Line> lines = parse_folded(r.out);
  RunResult json = run_cli({"--format", "json", a.string(), b.string()});
  Json doc;
  std::string error;
  REQUIRE(parse_json(json.out, &doc, &error));
  size_t at = 0;
  for (size_t si = 0; si < doc.at("snapshots").size(); ++si) {
    const Json& snap = doc.at("snapshots").at(si);
    for (const Json& g : snap.at("groups").items) {
      REQUIRE(at < lines.size());
      const Line& line = lines[at++];
      CHECK(line.frames.at(0) == "#" + std::to_string(si + 1) + " " + snap.at("source").str());
      CHECK(line.frames.at(1) == g.at("state").str());
      CHECK(line.count == g.at("count").u64());
    }
  }
  CHECK(at == lines.size());
  // --match/--top select as in every format.
  RunResult top = run_cli({"--format", "folded", "--top", "1", a.string()});
  CHECK(parse_folded(top.out).size() == 1);
}

TEST_CASE("folded: hostile names stay one frame and one line") {
  fs::path p = source_dir() / "tests/data/hostile/hostile.debug2.txt";
  auto l = load(p);
  REQUIRE(l->result.ok);
  std::string out = render(*l, "folded");
  size_t controls = 0;
  for (char ch : out) {
    auto c = static_cast<unsigned char>(ch);
    if (c != '\n' && (c < 0x20 || c == 0x7f)) ++controls;
  }
  CHECK(controls == 0);
  std::vector<Line> lines = parse_folded(out);
  const Snapshot& s = l->result.snapshots.at(0);
  REQUIRE(lines.size() == s.groups.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const Stack& stack = l->catalog.stacks.get(s.groups[i].stack);
    CHECK(lines[i].frames.size() == std::max<size_t>(stack.frames.size(), 1));
  }
  std::string e;
  folded_escape("a;b\x1b\n", &e);
  CHECK(e == "a\\x3bb\\x1b\\x0a");
}
