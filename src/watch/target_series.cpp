#include "watch/target_series.h"

#include <ctime>

#include <fmt/format.h>

#include "diff/diff_findings.h"

namespace gorleak {

std::string utc_time(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TargetSeries::TargetSeries(std::string url, std::string service, std::shared_ptr<Catalog> catalog)
    : url_(std::move(url)), service_(std::move(service)), catalog_(std::move(catalog)) {}

void TargetSeries::add(Snapshot snapshot, double time, const TrendOptions& options) {
  if (samples_.size() == kMaxSamples) {
    // Keep 0, 2, 4, …, and the newest.
    size_t w = 0;
    for (size_t i = 0; i < samples_.size(); ++i) {
      if (i % 2 != 0 && i + 1 != samples_.size()) continue;
      samples_[w] = std::move(samples_[i]);
      times_[w] = times_[i];
      ++w;
    }
    samples_.resize(w);
    times_.resize(w);
  }
  samples_.push_back(std::make_unique<Snapshot>(std::move(snapshot)));
  times_.push_back(time);
  ++seen_;
  std::vector<DiffDump> dumps;
  for (size_t i = 0; i < samples_.size(); ++i)
    dumps.push_back(DiffDump{utc_time(times_[i]), samples_[i].get(), catalog_.get()});
  trend_ = compute_trend(std::move(dumps), options);
}

void TargetSeries::classify_latest(const RuleSet& rules, const ClassifyOptions& options) {
  if (samples_.empty()) return;
  samples_.back()->findings =
      classify_with_growth(trend_.diff, samples_.size() - 1, rules, options);
}

}  // namespace gorleak
