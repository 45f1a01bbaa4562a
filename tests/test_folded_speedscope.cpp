// Folded stacks read by an independent reader: speedscope's own importer
// (npm `speedscope`, run in headless Chromium as its CLI runs it, through a
// script that hands it the file), whose sandwich view lists every frame
// with its total. With --folded-state each state is a root frame, so its
// total must equal the goroutines gorleak counted in that state, and the
// roots together the dump's total. Skips (exit 77) without Chromium or
// speedscope (.ci/install-tools).
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <string>

#include "json_check.h"
#include "test_support.h"
#include "tool_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) |
                 uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string html_unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    size_t at = 0;
    while ((at = s.find(from, at)) != std::string::npos) {
      s.replace(at, std::strlen(from), to);
      at += std::strlen(to);
    }
  }
  return s;
}

// Frame name → total, from the sandwich view's table.
std::map<std::string, uint64_t> speedscope_totals(const std::string& chromium, const fs::path& dir,
                                                  const std::string& folded) {
  fs::path index = npm_tools_dir() / "speedscope/dist/release/index.html";
  fs::path loader = dir / "profile.js";
  // What speedscope's own CLI writes for a local file, then a nudge: the
  // sandwich table is a virtual list that measures its viewport once, when
  // it mounts, and again only on a window resize. Headless Chromium often
  // mounts it before layout (height 0, no rows), so the page is told to
  // measure again until the dump is taken.
  write_file(loader, "speedscope.loadFileFromBase64('goroutines.folded', '" + base64(folded) +
                         "')\n"
                         "setInterval(function () { window.dispatchEvent(new Event('resize')) }, 250)\n");
  std::map<std::string, uint64_t> totals;
  static const std::regex row(
      R"(<tr[^>]*><td[^>]*>(\d+) \([^<]*<div.*?</td><td[^>]*>\d+ \(.*?</td><td[^>]*><span[^>]*></span>(.*?)</td></tr>)");
  // Under heavy load the rows can still fall after the virtual-time
  // budget, leaving the table empty; such a run is repeated.
  for (int attempt = 0; attempt < 4 && totals.empty(); ++attempt) {
    RunResult r = run_chromium(chromium,
                               {"--allow-file-access-from-files", "--window-size=1200,16000",
                                "--virtual-time-budget=10000", "--dump-dom"},
                               "file://" + index.string() + "#localProfilePath=" +
                                   loader.string() + "&view=sandwich");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), row);
         it != std::sregex_iterator(); ++it)
      totals[html_unescape((*it)[2].str())] = std::stoull((*it)[1].str());
  }
  return totals;
}

}  // namespace

TEST_CASE("folded: speedscope's importer sees the totals gorleak counted") {
  std::string chromium = chromium_path();
  if (chromium.empty() || !fs::exists(npm_tools_dir() / "speedscope/dist/release/index.html")) {
    skip_test("Chromium or speedscope not installed (.ci/install-tools)");
    return;
  }
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  size_t checked = 0;
  for (const fs::path& p :
       {corpus_dumps_dir() / "send-leak.go1.27.debug2.txt",
        corpus_dumps_dir() / "states.go1.22.debug2.txt",
        corpus_dumps_dir() / "body-leak.go1.19.debug1.txt",
        source_dir() / "tests/data/hostile/hostile.debug2.txt"}) {
    CAPTURE(p);
    RunResult folded = run_cli({"--format", "folded", "--folded-state", p.string()});
    RunResult json = run_cli({"--format", "json", p.string()});
    REQUIRE(folded.exit_code == 0);
    Json doc;
    std::string error;
    REQUIRE(parse_json(json.out, &doc, &error));
    const Json& snap = doc.at("snapshots").at(0);
    std::map<std::string, uint64_t> by_state;
    for (const Json& g : snap.at("groups").items) by_state[g.at("state").str()] += g.at("count").u64();

    std::map<std::string, uint64_t> seen = speedscope_totals(chromium, tmp.path, folded.out);
    REQUIRE(!seen.empty());
    uint64_t sum = 0;
    for (const auto& [state, count] : by_state) {
      CAPTURE(state);
      REQUIRE(seen.count(state) == 1);
      CHECK(seen[state] == count);
      sum += seen[state];
    }
    CHECK(sum == snap.at("total").u64());
    ++checked;
  }
  CHECK(checked == 4);
}
