// `gorleak trend` on real series: series-growth leaks 20 senders per load
// wave (idle, wave1, wave2, wave3, after), the other series programs grow
// once under load; healthy ones never grow (diff/growth.h: never shrinks,
// and rises by at least K).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "diff/trend.h"
#include "series_support.h"

using namespace gorleak;
using namespace gorleak::test;

TEST_CASE("a group that grows wave after wave is flagged, with its counts and rate") {
  size_t checked = 0;
  const std::vector<std::string> phases = {"idle", "wave1", "wave2", "wave3", "after"};
  for (const std::string& version : series_versions("series-growth")) {
    CAPTURE(version);
    std::vector<uint64_t> expected;
    std::string site, created_by, state;
    std::vector<std::filesystem::path> files;
    for (const auto& phase : phases) {
      auto e = expect_line("series-growth", version, phase, "rule");
      REQUIRE(e.has_value());
      expected.push_back(std::stoull((*e)["count"]));
      site = (*e)["site"];
      created_by = (*e)["created_by"];
      if (expected.back() > 0) state = (*e)["state"];
      files.push_back(series_dump("series-growth", version, phase));
    }
    auto series = load_series(files);
    REQUIRE(series.ok);
    Trend t = compute_trend(series.dumps);
    auto rows = rows_with(t.diff, site, created_by, state);
    REQUIRE(rows.size() == 1);
    size_t r = static_cast<size_t>(rows[0] - t.diff.rows.data());
    CHECK(rows[0]->counts == expected);
    CHECK(t.info[r].growth.never_shrinks);
    CHECK(t.info[r].growth.grows);
    CHECK(t.info[r].growth.rising_steps == 3);
    CHECK(t.info[r].total_growth == static_cast<int64_t>(expected.back() - expected.front()));
    CHECK(t.info[r].growth_per_dump ==
          doctest::Approx(static_cast<double>(expected.back() - expected.front()) / 4.0));
    // Flagged rows come first, and the leak is the only one flagged.
    CHECK(t.order.front() == r);
    CHECK(t.growing() == 1);
    CHECK(sparkline(rows[0]->counts) == "▁▃▆██");
    ++checked;
  }
  if (checked == 0) MESSAGE("no series-growth dumps: skipped");
}

TEST_CASE("one step of growth (idle → loaded → after) is growth, and the only one") {
  size_t checked = 0;
  for (const std::string& version : series_versions("series-send-leak")) {
    CAPTURE(version);
    auto e = expect_line("series-send-leak", version, "after", "rule");
    REQUIRE(e.has_value());
    auto series = load_series({series_dump("series-send-leak", version, "idle"),
                               series_dump("series-send-leak", version, "loaded"),
                               series_dump("series-send-leak", version, "after")});
    REQUIRE(series.ok);
    Trend t = compute_trend(series.dumps);
    auto rows = rows_with(t.diff, (*e)["site"], (*e)["created_by"], (*e)["state"]);
    REQUIRE(rows.size() == 1);
    size_t r = static_cast<size_t>(rows[0] - t.diff.rows.data());
    CHECK(t.info[r].growth.grows);
    CHECK(t.info[r].growth.rising_steps == 1);
    CHECK(t.info[r].growth.rise == std::stoull((*e)["count"]));
    CHECK(t.growing() == 1);
    ++checked;
  }
  if (checked == 0) MESSAGE("no series-send-leak dumps: skipped");
}

TEST_CASE("healthy series: nothing is flagged") {
  size_t checked = 0;
  for (const char* program : {"series-healthy-pool", "series-drain"}) {
    for (const std::string& version : series_versions(program)) {
      CAPTURE(version);
      auto series = load_series({series_dump(program, version, "idle"),
                                 series_dump(program, version, "loaded"),
                                 series_dump(program, version, "after")});
      REQUIRE(series.ok);
      Trend t = compute_trend(series.dumps);
      CHECK(t.growing() == 0);
      ++checked;
    }
  }
  if (checked == 0) MESSAGE("no healthy series dumps: skipped");
}

TEST_CASE("growth follows its one definition: never shrinks, rises by at least K") {
  GrowthRule k5;  // K = 5
  CHECK(assess_growth({0, 74, 74}, k5).grows);
  CHECK(assess_growth({0, 20, 40, 60}, k5).grows);
  CHECK_FALSE(assess_growth({0, 73, 0}, k5).grows);   // drained: load
  CHECK_FALSE(assess_growth({0, 4, 4}, k5).grows);    // +4 < 5
  CHECK_FALSE(assess_growth({10, 20, 19, 30}, k5).grows);  // shrank once
  CHECK_FALSE(assess_growth({5, 5, 5}, k5).grows);
  CHECK(assess_growth({0, 10}, k5).grows);  // two dumps are enough
  CHECK(assess_growth({1, 2, 3}, GrowthRule{2}).grows);
  CHECK_FALSE(assess_growth({1, 2, 3}, GrowthRule{3}).grows);
  // A restart before the fourth dump: its step is left out, the rises add up.
  std::vector<bool> restart{false, false, false, true, false, false};
  Growth g = assess_growth({0, 5, 10, 0, 5, 10}, k5, &restart);
  CHECK(g.grows);
  CHECK(g.rise == 20);
  CHECK_FALSE(assess_growth({0, 5, 10, 0, 5, 10}, k5).grows);  // without knowing: a drop
  CHECK(trend_info({1, 5, 5, 9}, k5).total_growth == 8);
  CHECK(trend_info({1, 5, 5, 9}, k5).growth_per_dump == doctest::Approx(8.0 / 3));
  CHECK(sparkline({0, 0}) == "▁▁");
  CHECK(sparkline({0, 7}) == "▁█");
}

TEST_CASE("a restart is seen from goroutine ids: the newest fetch far below the last") {
  Snapshot a, b, c, d1, e;
  a.max_goroutine_id = 90'000;
  b.max_goroutine_id = 120'000;
  c.max_goroutine_id = 20;  // a new process
  e.max_goroutine_id = 120'000 - 4'000;  // per-P id caches: not a restart
  d1.form = Form::kDebug1;  // no ids: tells nothing
  CHECK(detect_restarts({&a, &b, &c}) == std::vector<bool>{false, false, true});
  CHECK(detect_restarts({&b, &e}) == std::vector<bool>{false, false});
  CHECK(detect_restarts({&b, &d1, &c}) == std::vector<bool>{false, false, false});
  Snapshot crash = c;
  crash.form = Form::kCrash;  // a SIGQUIT dump has no serving goroutine
  CHECK(detect_restarts({&b, &crash}) == std::vector<bool>{false, false});
}
