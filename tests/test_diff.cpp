// The diff on real idle / loaded / after dumps of the phased corpus
// programs: exact counts for the leaking group, leaks reported as stayed,
// load-only growth as drained, healthy programs without a leak.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "diff/snapshot_diff.h"
#include "series_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

const char* const kLeakPrograms[] = {"series-send-leak", "series-ticker-leak", "series-body-leak",
                                     "series-mutex-pileup"};
const char* const kPhases[] = {"idle", "loaded", "after"};

uint64_t to_count(const std::string& s) { return std::stoull(s); }

}  // namespace

TEST_CASE("three dumps: the leaking group has the exact counts and stayed") {
  size_t checked = 0;
  for (const std::string program : kLeakPrograms) {
    for (const std::string& version : series_versions(program)) {
      CAPTURE(program);
      CAPTURE(version);
      std::vector<uint64_t> expected;
      std::string site, state, created_by;
      for (const char* phase : kPhases) {
        auto e = expect_line(program, version, phase, "rule");
        REQUIRE(e.has_value());
        expected.push_back(to_count((*e)["count"]));
        if (std::string(phase) == "loaded") {
          site = (*e)["site"];
          state = (*e)["state"];
          created_by = (*e)["created_by"];
        }
      }
      auto series = load_series({series_dump(program, version, "idle"),
                                 series_dump(program, version, "loaded"),
                                 series_dump(program, version, "after")});
      REQUIRE(series.ok);
      SnapshotDiff d = diff_snapshots(series.dumps);
      CHECK(d.mode == SignatureMode::kExact);
      auto rows = rows_with(d, site, created_by, state);
      REQUIRE(rows.size() == 1);
      CHECK(rows[0]->counts == expected);
      CHECK(rows[0]->status == DiffStatus::kStayed);
      CHECK(rows[0]->peak == expected[1]);
      ++checked;
    }
  }
  if (checked == 0) MESSAGE("no series-* leak dumps in corpus/dumps: skipped");
}

TEST_CASE("three dumps: in-flight requests drain and nothing stays (series-drain)") {
  size_t checked = 0;
  for (const std::string& version : series_versions("series-drain")) {
    CAPTURE(version);
    std::vector<uint64_t> expected;
    for (const char* phase : kPhases) {
      auto e = expect_line("series-drain", version, phase, "role", "main.waitForReport");
      REQUIRE(e.has_value());
      expected.push_back(to_count((*e)["count"]));
    }
    auto series = load_series({series_dump("series-drain", version, "idle"),
                               series_dump("series-drain", version, "loaded"),
                               series_dump("series-drain", version, "after")});
    REQUIRE(series.ok);
    SnapshotDiff d = diff_snapshots(series.dumps);
    auto rows = rows_with(d, "main.waitForReport", "", "select");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]->counts == expected);
    CHECK(rows[0]->status == DiffStatus::kDrained);
    CHECK(d.count(DiffStatus::kStayed) == 0);
    ++checked;
  }
  if (checked == 0) MESSAGE("no series-drain dumps: skipped");
}

TEST_CASE("three dumps: a healthy worker pool reports no leak (series-healthy-pool)") {
  size_t checked = 0;
  for (const std::string& version : series_versions("series-healthy-pool")) {
    CAPTURE(version);
    auto series = load_series({series_dump("series-healthy-pool", version, "idle"),
                               series_dump("series-healthy-pool", version, "loaded"),
                               series_dump("series-healthy-pool", version, "after")});
    REQUIRE(series.ok);
    SnapshotDiff d = diff_snapshots(series.dumps);
    CHECK(d.count(DiffStatus::kStayed) == 0);
    // Busy workers waiting for the backend under load: load, not a leak.
    std::vector<uint64_t> busy;
    for (const char* phase : kPhases) {
      auto e = expect_line("series-healthy-pool", version, phase, "role", "main.(*Pool).process");
      REQUIRE(e.has_value());
      busy.push_back(to_count((*e)["count"]));
    }
    auto rows = rows_with(d, "main.(*Pool).process", "", "chan receive");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]->counts == busy);
    CHECK(rows[0]->status == DiffStatus::kDrained);
    ++checked;
  }
  if (checked == 0) MESSAGE("no series-healthy-pool dumps: skipped");
}

TEST_CASE("two dumps: BASE idle → NEW after, the leak is new with exact counts") {
  size_t checked = 0;
  for (const std::string program : kLeakPrograms) {
    for (const std::string& version : series_versions(program)) {
      CAPTURE(program);
      CAPTURE(version);
      auto idle = expect_line(program, version, "idle", "rule");
      auto after = expect_line(program, version, "after", "rule");
      REQUIRE(idle.has_value());
      REQUIRE(after.has_value());
      auto series = load_series({series_dump(program, version, "idle"),
                                 series_dump(program, version, "after")});
      REQUIRE(series.ok);
      SnapshotDiff d = diff_snapshots(series.dumps);
      CHECK_FALSE(d.three_way());
      auto rows = rows_with(d, (*after)["site"], (*after)["created_by"], (*after)["state"]);
      REQUIRE(rows.size() == 1);
      CHECK(rows[0]->counts == std::vector<uint64_t>{to_count((*idle)["count"]),
                                                      to_count((*after)["count"])});
      CHECK(rows[0]->status == (to_count((*idle)["count"]) == 0 ? DiffStatus::kNew : DiffStatus::kGrown));
      CHECK(rows[0]->delta() == static_cast<int64_t>(to_count((*after)["count"]) -
                                                    to_count((*idle)["count"])));
      // Rows are sorted by absolute growth, largest first.
      for (size_t i = 1; i < d.rows.size(); ++i) CHECK(d.rows[i - 1].change >= d.rows[i].change);
      ++checked;
    }
  }
  if (checked == 0) MESSAGE("no series-* leak dumps: skipped");
}

TEST_CASE("a dump diffed against itself is all `same`") {
  auto files = list_files(corpus_dumps_dir(), ".debug2.txt");
  if (files.empty()) {
    MESSAGE("no corpus dumps: skipped");
    return;
  }
  for (const auto& f : files) {
    CAPTURE(f.string());
    auto series = load_series({f, f});
    REQUIRE(series.ok);
    SnapshotDiff d = diff_snapshots(series.dumps);
    CHECK(d.count(DiffStatus::kSame) == d.rows.size());
    uint64_t sum = 0;
    for (const DiffRow& r : d.rows) sum += r.counts[0];
    CHECK(sum == series.dumps[0].snapshot->total);
  }
}

TEST_CASE("status thresholds, as documented in docs/diff.md") {
  DiffThresholds t;  // min_load_growth 5, ratio 0.10, stay 0.5
  CHECK(diff_status({0, 3}, t) == DiffStatus::kNew);
  CHECK(diff_status({3, 0}, t) == DiffStatus::kGone);
  CHECK(diff_status({3, 4}, t) == DiffStatus::kGrown);
  CHECK(diff_status({4, 3}, t) == DiffStatus::kShrunk);
  CHECK(diff_status({4, 4}, t) == DiffStatus::kSame);
  CHECK(diff_status({0, 10, 5}, t) == DiffStatus::kStayed);   // half kept
  CHECK(diff_status({0, 10, 4}, t) == DiffStatus::kDrained);  // less than half
  CHECK(diff_status({0, 10, 20}, t) == DiffStatus::kStayed);  // still growing
  CHECK(diff_status({0, 4, 4}, t) == DiffStatus::kNew);       // below min growth: I → A
  CHECK(diff_status({100, 108, 108}, t) == DiffStatus::kGrown);  // < 10% of idle
  CHECK(diff_status({100, 110, 105}, t) == DiffStatus::kStayed);
  CHECK(diff_status({5, 0, 5}, t) == DiffStatus::kSame);
  // More than three dumps: the peak of the middle ones is LOADED.
  uint64_t peak = 0;
  CHECK(diff_status({0, 30, 60, 10, 0}, t, &peak) == DiffStatus::kDrained);
  CHECK(peak == 60);
}
