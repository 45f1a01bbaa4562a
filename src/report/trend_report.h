// Output of `gorleak trend D1 … Dn` (and of `watch` and `history` at the
// end): per group its count in every dump, a sparkline and its growth per
// dump; groups that grow (diff/growth.h) come first and are flagged; then
// the findings of the last dump, growth-confirmed where their groups grow.
// JSON carries the numbers and the verdict (schema in docs/diff.md).
#pragma once

#include <string>
#include <vector>

#include "diff/trend.h"
#include "model/finding.h"
#include "report/json_writer.h"
#include "classify/leak_site.h"
#include "report/report_options.h"
#include "report/report_writer.h"

namespace gorleak {

struct TrendReport {
  const Trend* trend = nullptr;
  std::vector<Finding> findings;  // of the last dump, with growth
  bool classified = false;        // false: no rules ran
};

void write_trend_text(const TrendReport& report, const ReportOptions& options, std::string* out);
void write_trend_json(const TrendReport& report, const ReportOptions& options, std::string* out);
// A row (trend.diff.rows[row]) of the JSON "groups", into an open object.
void write_trend_row_fields(JsonWriter& w, const Trend& trend, uint32_t row,
                            const LeakSiteFinder& sites);
// The same, as `--format text|json` entries of the format table (format.h).
void write_trend_text(const TrendInput& in, ReportOutput& out);
void write_trend_json(const TrendInput& in, ReportOutput& out);

// "2 groups grow (never shrink, and rise by ≥ 5)" or "no group grows …".
std::string trend_verdict(const Trend& trend);

}  // namespace gorleak
