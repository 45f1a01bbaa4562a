// A series of dumps D1 … Dn in the order given: each group's count over the
// series, whether it only ever grows, and how fast. A group that keeps
// growing across three or more dumps is flagged whether or not a rule knows
// its shape: growth under steady conditions is the leak evidence itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "diff/snapshot_diff.h"

namespace gorleak {

// flagged ⇔ n ≥ 3 dumps, the count never decreases, it rises in at least
// `min_rising_steps` of the n − 1 steps, and last − first ≥ min_growth.
struct TrendOptions {
  uint64_t min_growth = 3;
  size_t min_rising_steps = 2;
  DiffOptions diff;  // signature mode (the diff thresholds do not apply)
};

struct TrendInfo {
  bool monotonic = false;  // never decreases and ends higher than it started
  bool flagged = false;
  size_t rising_steps = 0;
  int64_t total_growth = 0;      // last − first
  double growth_per_dump = 0.0;  // (last − first) / (n − 1)
};

struct Trend {
  SnapshotDiff diff;            // rows matched across the series
  std::vector<TrendInfo> info;  // parallel to diff.rows
  std::vector<uint32_t> order;  // flagged rows first, then by growth

  size_t flagged() const;
};

Trend compute_trend(std::vector<DiffDump> dumps, const TrendOptions& options = {});
TrendInfo trend_info(const std::vector<uint64_t>& counts, const TrendOptions& options);

// "▁▂▅█": one bar per count, scaled from 0 to the series maximum.
std::string sparkline(const std::vector<uint64_t>& counts);

}  // namespace gorleak
