// What `watch` and `history` print, over the same model as `trend`
// (watch/target_series.h): one summary line per sample when the output is
// a log or a pipe, a compact live view redrawn on a terminal, and at the
// end each target's trend report and the sites that grow on several
// instances of one service (watch/fleet.h).
#pragma once

#include <string>
#include <vector>

#include "report/report_options.h"
#include "watch/fleet.h"
#include "watch/target_series.h"

namespace gorleak {

// One line for the newest sample of `t`: time, URL, total and change since
// the first sample, the groups that grow, the findings.
std::string watch_summary_line(const TargetSeries& t, const ReportOptions& options);
// One line for a sample that could not be taken.
std::string watch_failure_line(const std::string& url, double time, const std::string& error);

struct WatchStatus {
  uint64_t round = 0;         // samples taken so far (per target)
  uint64_t rounds = 0;        // 0: until interrupted
  double next_in = 0;         // seconds to the next sample
  std::vector<std::string> failures;  // the last round's, one line each
};

// The live view, from the top of the screen: per target its totals per
// state, the groups that grow most, its findings; then the fleet sites.
void write_watch_screen(const std::vector<const TargetSeries*>& targets, const WatchStatus& status,
                        const ReportOptions& options, std::string* out);

// The end: each target's trend report (report/trend_report.h), then the
// fleet section when there are several targets.
void write_watch_report(const std::vector<const TargetSeries*>& targets,
                        const ReportOptions& options, std::string* out);

void write_fleet_text(const std::vector<FleetSite>& sites,
                      const std::vector<const TargetSeries*>& targets,
                      const ReportOptions& options, std::string* out);

}  // namespace gorleak
