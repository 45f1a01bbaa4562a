#include "diff/trend.h"

#include <algorithm>
#include <numeric>

namespace gorleak {

namespace {

TrendInfo info_of(const std::vector<uint64_t>& c, Growth growth) {
  TrendInfo t;
  t.growth = growth;
  if (c.size() < 2) return t;
  t.total_growth = static_cast<int64_t>(c.back()) - static_cast<int64_t>(c.front());
  t.growth_per_dump = static_cast<double>(t.total_growth) / static_cast<double>(c.size() - 1);
  return t;
}

}  // namespace

TrendInfo trend_info(const std::vector<uint64_t>& counts, const GrowthRule& rule) {
  return info_of(counts, assess_growth(counts, rule));
}

size_t Trend::growing() const {
  return static_cast<size_t>(std::count_if(info.begin(), info.end(),
                                           [](const TrendInfo& t) { return t.growth.grows; }));
}

Trend compute_trend(std::vector<DiffDump> dumps, const TrendOptions& options) {
  Trend t;
  t.diff = diff_snapshots(std::move(dumps), options.diff);
  t.info.reserve(t.diff.rows.size());
  for (const DiffRow& row : t.diff.rows) t.info.push_back(info_of(row.counts, row.growth));
  t.order.resize(t.diff.rows.size());
  std::iota(t.order.begin(), t.order.end(), 0u);
  // diff rows are already sorted by absolute change; keep that within the
  // growing and other halves.
  std::stable_sort(t.order.begin(), t.order.end(), [&](uint32_t a, uint32_t b) {
    return t.info[a].growth.grows > t.info[b].growth.grows;
  });
  return t;
}

std::string sparkline(const std::vector<uint64_t>& counts) {
  static constexpr const char* kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  uint64_t top = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
  std::string out;
  for (uint64_t c : counts) {
    size_t level = top == 0 ? 0 : static_cast<size_t>((c * 7 + top / 2) / top);
    out += kBars[std::min<size_t>(level, 7)];
  }
  return out;
}

}  // namespace gorleak
