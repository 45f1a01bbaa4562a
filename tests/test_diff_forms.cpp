// A debug=1 dump and a debug=2 dump of the same program match group for
// group (the cross-form signature), and so do debug=2 and SIGQUIT dumps.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "diff/snapshot_diff.h"
#include "model/func_name.h"
#include "series_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

bool runtime_only(const SnapshotDiff& d, const DiffRow& row) {
  const Catalog& c = d.catalog(row.frames_from);
  for (const Frame& f : d.stack(row).frames)
    if (!is_runtime_func(c.str(f.func))) return false;
  return true;
}

// Every group of two or more goroutines is found on both sides with the same
// count, give or take the one goroutine serving the dump request itself.
void check_pair(const std::filesystem::path& a, const std::filesystem::path& b,
                SignatureMode mode, size_t* pairs) {
  CAPTURE(a.filename().string());
  CAPTURE(b.filename().string());
  auto series = load_series({a, b});
  REQUIRE(series.ok);
  SnapshotDiff d = diff_snapshots(series.dumps);
  CHECK(d.mode == mode);
  uint64_t matched = 0;
  for (const DiffRow& row : d.rows) {
    if (row.counts[0] > 0 && row.counts[1] > 0) matched += std::min(row.counts[0], row.counts[1]);
    if (std::max(row.counts[0], row.counts[1]) < 2) continue;
    if (mode == SignatureMode::kCrossLevel && runtime_only(d, row)) continue;  // system goroutines
    CAPTURE(std::string(d.catalog(row.frames_from).str(d.stack(row).frames.empty() ? 0 : d.stack(row).frames[0].func)));
    CHECK(std::llabs(row.delta()) <= 1);
  }
  // Every goroutine of the first side is matched but those of the dump
  // request itself (its conn, background read, the capturing goroutine).
  uint64_t total = series.dumps[0].snapshot->total;
  CHECK(total - std::min(total, matched) <= 3);
  ++*pairs;
}

}  // namespace

TEST_CASE("debug=1 vs debug=2 of the same program: groups match") {
  size_t pairs = 0;
  for (const auto& d1 : list_files(corpus_dumps_dir(), ".debug1.txt")) {
    std::string name = d1.filename().string();
    auto d2 = d1.parent_path() / (name.substr(0, name.size() - 11) + ".debug2.txt");
    if (!std::filesystem::exists(d2)) continue;
    check_pair(d2, d1, SignatureMode::kCrossForm, &pairs);
  }
  if (pairs == 0) MESSAGE("no debug1/debug2 pairs in corpus/dumps: skipped");
}

TEST_CASE("debug=1 vs debug=2: the leaking group has the same count on both sides") {
  size_t checked = 0;
  for (const char* program : {"series-send-leak", "series-mutex-pileup", "series-ticker-leak"}) {
    for (const std::string& version : series_versions(program)) {
      CAPTURE(version);
      auto e = expect_line(program, version, "loaded", "rule");
      REQUIRE(e.has_value());
      auto series = load_series({series_dump(program, version, "loaded", "debug1"),
                                 series_dump(program, version, "loaded", "debug2")});
      REQUIRE(series.ok);
      SnapshotDiff d = diff_snapshots(series.dumps);
      REQUIRE(d.mode == SignatureMode::kCrossForm);
      // The state comes from the debug=2 side: debug=1 prints none.
      auto rows = rows_with(d, (*e)["site"], (*e)["created_by"], (*e)["state"]);
      REQUIRE(rows.size() == 1);
      uint64_t n = std::stoull((*e)["count"]);
      CHECK(rows[0]->counts == std::vector<uint64_t>{n, n});
      CHECK(rows[0]->status == DiffStatus::kSame);
      CHECK(rows[0]->state_from.dump == 1);
      ++checked;
    }
  }
  if (checked == 0) MESSAGE("no series dumps: skipped");
}

TEST_CASE("debug=2 vs SIGQUIT (level-2 traceback): groups match") {
  size_t pairs = 0;
  for (const auto& sq : list_files(corpus_dumps_dir(), ".sigquit.txt")) {
    std::string name = sq.filename().string();
    if (name.rfind("healthy-mixed.go1.19", 0) == 0) continue;  // see docs/diff.md, limits
    auto d2 = sq.parent_path() / (name.substr(0, name.size() - 12) + ".debug2.txt");
    if (!std::filesystem::exists(d2)) continue;
    check_pair(d2, sq, SignatureMode::kCrossLevel, &pairs);
  }
  if (pairs == 0) MESSAGE("no debug2/sigquit pairs: skipped");
}
