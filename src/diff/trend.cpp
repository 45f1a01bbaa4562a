#include "diff/trend.h"

#include <algorithm>
#include <numeric>

namespace gorleak {

TrendInfo trend_info(const std::vector<uint64_t>& c, const TrendOptions& options) {
  TrendInfo t;
  if (c.size() < 2) return t;
  bool never_down = true;
  for (size_t i = 1; i < c.size(); ++i) {
    if (c[i] < c[i - 1]) never_down = false;
    if (c[i] > c[i - 1]) ++t.rising_steps;
  }
  t.total_growth = static_cast<int64_t>(c.back()) - static_cast<int64_t>(c.front());
  t.growth_per_dump = static_cast<double>(t.total_growth) / static_cast<double>(c.size() - 1);
  t.monotonic = never_down && t.total_growth > 0;
  t.flagged = t.monotonic && c.size() >= 3 && t.rising_steps >= options.min_rising_steps &&
              static_cast<uint64_t>(t.total_growth) >= options.min_growth;
  return t;
}

size_t Trend::flagged() const {
  return static_cast<size_t>(
      std::count_if(info.begin(), info.end(), [](const TrendInfo& t) { return t.flagged; }));
}

Trend compute_trend(std::vector<DiffDump> dumps, const TrendOptions& options) {
  Trend t;
  t.diff = diff_snapshots(std::move(dumps), options.diff);
  t.info.reserve(t.diff.rows.size());
  for (const DiffRow& row : t.diff.rows) t.info.push_back(trend_info(row.counts, options));
  t.order.resize(t.diff.rows.size());
  std::iota(t.order.begin(), t.order.end(), 0u);
  // diff rows are already sorted by absolute growth; keep that within the
  // flagged and unflagged halves.
  std::stable_sort(t.order.begin(), t.order.end(), [&](uint32_t a, uint32_t b) {
    return t.info[a].flagged > t.info[b].flagged;
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
