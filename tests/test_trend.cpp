// `gorleak trend` on real series: series-growth leaks 20 senders per load
// wave (idle, wave1, wave2, wave3, after), the other series programs grow
// once under load; healthy ones never grow monotonically.
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
    CHECK(t.info[r].monotonic);
    CHECK(t.info[r].flagged);
    CHECK(t.info[r].rising_steps == 3);
    CHECK(t.info[r].total_growth == static_cast<int64_t>(expected.back() - expected.front()));
    CHECK(t.info[r].growth_per_dump ==
          doctest::Approx(static_cast<double>(expected.back() - expected.front()) / 4.0));
    // Flagged rows come first, and the leak is the only one flagged.
    CHECK(t.order.front() == r);
    CHECK(t.flagged() == 1);
    CHECK(sparkline(rows[0]->counts) == "▁▃▆██");
    ++checked;
  }
  if (checked == 0) MESSAGE("no series-growth dumps: skipped");
}

TEST_CASE("one step of growth (idle → loaded → after) is monotonic but not flagged") {
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
    CHECK(t.info[r].monotonic);
    CHECK(t.info[r].rising_steps == 1);
    CHECK_FALSE(t.info[r].flagged);
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
      CHECK(t.flagged() == 0);
      ++checked;
    }
  }
  if (checked == 0) MESSAGE("no healthy series dumps: skipped");
}

TEST_CASE("trend_info and sparkline follow their definitions") {
  TrendOptions o;  // min_growth 3, min_rising_steps 2
  CHECK(trend_info({1, 2, 3}, o).flagged == false);  // growth 2 < 3
  CHECK(trend_info({1, 2, 4}, o).flagged);
  CHECK(trend_info({1, 5, 5, 9}, o).flagged);
  CHECK_FALSE(trend_info({1, 9, 8, 12}, o).monotonic);
  CHECK_FALSE(trend_info({5, 5, 5}, o).monotonic);
  CHECK_FALSE(trend_info({0, 10}, o).flagged);  // two dumps are never enough
  CHECK(sparkline({0, 0}) == "▁▁");
  CHECK(sparkline({0, 7}) == "▁█");
}
