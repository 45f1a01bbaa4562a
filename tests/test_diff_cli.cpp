// The diff and trend commands end to end: arguments, the JSON schema keys of
// docs/diff.md, `--base`, dot output, usage errors.
#include <doctest/doctest.h>

#include <string>

#include "series_support.h"

using namespace gorleak::test;

namespace {

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("gorleak diff IDLE LOADED AFTER --format json") {
  auto versions = series_versions("series-send-leak");
  if (versions.empty()) {
    MESSAGE("no series-send-leak dumps: skipped");
    return;
  }
  const std::string v = versions.back();
  auto r = run_cli({"diff", "--format", "json", series_dump("series-send-leak", v, "idle").string(),
                    series_dump("series-send-leak", v, "loaded").string(),
                    series_dump("series-send-leak", v, "after").string()});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  for (const char* key : {"\"dumps\"", "\"states\"", "\"groups\"", "\"findings\"", "\"status\"",
                          "\"counts\"", "\"state\"", "\"frames\"", "\"created_by\"", "\"spawned_by\"",
                          "\"same_object\""})
    CHECK(has(r.out, key));
  CHECK(has(r.out, "\"status\": \"stayed\""));
  CHECK(has(r.out, "\"func\": \"main.search.func1\""));
  CHECK(has(r.out, "\"growth_confirmed\": true"));
}

TEST_CASE("gorleak --base BASE NEW is gorleak diff BASE NEW") {
  auto versions = series_versions("series-send-leak");
  if (versions.empty()) {
    MESSAGE("no series-send-leak dumps: skipped");
    return;
  }
  const std::string v = versions.back();
  std::string base = series_dump("series-send-leak", v, "idle").string();
  std::string now = series_dump("series-send-leak", v, "after").string();
  auto a = run_cli({"--base", base, now, "--color", "never"});
  auto b = run_cli({"diff", base, now, "--color", "never"});
  CHECK(a.exit_code == 0);
  CHECK(a.out == b.out);
  CHECK(has(a.out, "new "));
  CHECK(has(a.out, "[growth-confirmed]"));
}

TEST_CASE("gorleak diff --format dot, trend --format json, usage errors") {
  auto versions = series_versions("series-send-leak");
  if (versions.empty()) {
    MESSAGE("no series-send-leak dumps: skipped");
    return;
  }
  const std::string v = versions.back();
  std::string idle = series_dump("series-send-leak", v, "idle").string();
  std::string after = series_dump("series-send-leak", v, "after").string();
  auto dot = run_cli({"diff", "--format", "dot", idle, after});
  CHECK(dot.exit_code == 0);
  CHECK(dot.out.rfind("digraph G {", 0) == 0);
  auto calls = run_cli({"diff", "--format", "dot", "--graph", "calls", idle, after});
  CHECK(calls.exit_code == 0);
  CHECK(has(calls.out, "main.search.func1"));
  auto trend = run_cli({"trend", "--format", "json", idle, after, after});
  CHECK(trend.exit_code == 0);
  CHECK(has(trend.out, "\"growth_per_dump\""));
  CHECK(run_cli({"diff", idle}).exit_code == 2);
  CHECK(run_cli({"diff", "--format", "xml", idle, after}).exit_code == 2);
  CHECK(run_cli({"trend", idle}).exit_code == 2);
}
