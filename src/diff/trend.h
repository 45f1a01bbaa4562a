// A series of dumps D1 … Dn in the order given: each group's count over the
// series, whether it grows (diff/growth.h, the one definition), and how
// fast. A group that grows is flagged whether or not a rule knows its
// shape: growth under steady conditions is the leak evidence itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "diff/snapshot_diff.h"

namespace gorleak {

struct TrendOptions {
  DiffOptions diff;  // signature mode and the growth rule (diff.growth); thresholds unused
};

struct TrendInfo {
  Growth growth;                 // the row's (diff/growth.h)
  int64_t total_growth = 0;      // last − first
  double growth_per_dump = 0.0;  // (last − first) / (n − 1)
};

struct Trend {
  SnapshotDiff diff;            // rows matched across the series
  std::vector<TrendInfo> info;  // parallel to diff.rows
  std::vector<uint32_t> order;  // growing rows first, then by change

  size_t growing() const;
};

Trend compute_trend(std::vector<DiffDump> dumps, const TrendOptions& options = {});
// One count series, without restarts.
TrendInfo trend_info(const std::vector<uint64_t>& counts, const GrowthRule& rule = {});

// "▁▂▅█": one bar per count, scaled from 0 to the series maximum.
std::string sparkline(const std::vector<uint64_t>& counts);

}  // namespace gorleak
