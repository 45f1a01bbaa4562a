// `gorleak URL` on a running corpus program (corpus/programs/send-leak,
// built with the Go toolchain found): the report equals the report of the
// dump it fetched, saved with --save; the counts are the program's own
// ground truth (its GORLEAK-EXPECT lines); and the goroutineleak profile
// proves the leak on Go 1.27, or is said to be missing, once, before.
#include <doctest/doctest.h>

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

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("gorleak URL on a corpus program: the saved dump's report, the program's counts") {
  auto go = find_go();
  if (!go) {
    MESSAGE("no Go toolchain (GORLEAK_GO, go on PATH, /opt/go/go-*): skipped");
    return;
  }
  std::string log;
  auto bin = build_go_program(*go, source_dir() / "corpus/programs/send-leak", &log);
  REQUIRE_MESSAGE(bin.has_value(), log);
  LiveProgram p = start_program(*bin);
  REQUIRE_MESSAGE(!p.addr.empty(), "send-leak did not get ready");
  const std::map<std::string, std::string>* leak = nullptr;
  for (const auto& e : p.expect)
    if (e.count("rule")) leak = &e;
  REQUIRE(leak != nullptr);
  const std::string base = "http://" + p.addr;
  const std::string url = base + "/debug/pprof/goroutine?debug=2";
  TempDir tmp;

  for (const char* format : {"json", "text"}) {
    CAPTURE(format);
    fs::path saved = tmp.path / (std::string("dump.") + format + ".txt.gz");
    RunResult live = run_cli({"--format", format, "--color", "never", "--no-leak-profile", "--save",
                              saved.string(), base});
    INFO("stderr: ", live.err);
    REQUIRE(live.exit_code == 0);
    CHECK(live.err.empty());
    RunResult file = run_cli({"--format", format, "--color", "never", saved.string()});
    REQUIRE(file.exit_code == 0);
    CHECK(replaced(live.out, url, saved.string()) == file.out);
  }

  // The counts against the program's ground truth.
  RunResult r = run_cli({"--format", "json", "--no-leak-profile", base});
  REQUIRE(r.exit_code == 0);
  Json j;
  std::string err;
  REQUIRE_MESSAGE(parse_json(r.out, &j, &err), err);
  const Json& snap = j.at("snapshots").at(0);
  uint64_t at_site = 0;
  for (const Json& g : snap.at("groups").items) {
    const Json& site = g.at("site");
    if (!site.is_null() && site.at("func").str() == leak->at("site") &&
        g.at("state").str() == leak->at("state"))
      at_site += g.at("count").u64();
  }
  CHECK(at_site == std::stoull(leak->at("count")));
  REQUIRE(snap.at("findings").size() >= 1);
  CHECK(snap.at("findings").at(0).at("rule").str() == leak->at("rule"));

  // The goroutineleak profile: Go 1.27 serves it by default.
  RunResult text = run_cli({"--color", "never", base});
  REQUIRE(text.exit_code == 0);
  int minor = go_minor(*go);
  if (minor >= 27) {
    CHECK(has(text.out, fmt::format("goroutineleak profile: the runtime proved {} goroutines leaked",
                                    leak->at("count"))));
    CHECK(has(text.out, fmt::format("The runtime's goroutineleak profile proved {} of them leaked.",
                                    leak->at("count"))));
  } else {
    CHECK(occurrences(text.out, "does not serve /debug/pprof/goroutineleak") == 1);
  }
}
