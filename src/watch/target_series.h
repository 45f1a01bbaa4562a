// One watched service over time: its samples, what they show (the trend of
// every group, diff/trend.h), and the newest sample's findings with that
// growth. `watch` feeds it fetch by fetch, `history` from the database; both
// then report the same way.
//
// Memory stays bounded however long a watch runs: at most kMaxSamples
// samples are kept; when full, every second one is dropped (the first and
// the newest always stay), so the series keeps covering the whole watch at
// a coarser step and growth over hours is still seen. The Catalog grows
// with distinct stacks only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "classify/classifier.h"
#include "diff/trend.h"
#include "model/catalog.h"
#include "model/snapshot.h"

namespace gorleak {

// "2026-11-29T10:00:05Z": how samples are named in reports.
std::string utc_time(double unix_seconds);

class TargetSeries {
 public:
  static constexpr size_t kMaxSamples = 256;

  // `catalog` holds the ids of every snapshot added (shared by the targets
  // of one history load; one per target in a watch).
  TargetSeries(std::string url, std::string service, std::shared_ptr<Catalog> catalog);

  const std::string& url() const { return url_; }
  const std::string& service() const { return service_; }
  Catalog& catalog() { return *catalog_; }
  const Catalog& catalog() const { return *catalog_; }

  // Adds a sample whose ids are catalog()'s, taken at `time` (Unix
  // seconds), and recomputes the trend.
  void add(Snapshot snapshot, double time, const TrendOptions& options);
  // Classifies the newest sample with the growth the series shows
  // (diff/diff_findings.h) and stores the findings in it.
  void classify_latest(const RuleSet& rules, const ClassifyOptions& options);

  size_t size() const { return samples_.size(); }
  const Snapshot& sample(size_t i) const { return *samples_[i]; }
  Snapshot& latest() { return *samples_.back(); }
  double time(size_t i) const { return times_[i]; }
  uint64_t samples_seen() const { return seen_; }  // including those thinned out
  // Valid after add(); rows over the samples kept.
  const Trend& trend() const { return trend_; }

 private:
  std::string url_, service_;
  std::shared_ptr<Catalog> catalog_;
  std::vector<std::unique_ptr<Snapshot>> samples_;  // stable addresses for trend_
  std::vector<double> times_;
  uint64_t seen_ = 0;
  Trend trend_;
};

}  // namespace gorleak
