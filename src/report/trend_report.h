// Output of `gorleak trend D1 … Dn`: per group its count in every dump, a
// sparkline, whether it only ever grows and by how much per dump; groups
// that grew monotonically across ≥ 3 dumps are flagged. JSON carries the
// numbers (schema in docs/diff.md).
#pragma once

#include <string>

#include "diff/trend.h"
#include "report/json_writer.h"
#include "report/report_options.h"
#include "report/report_writer.h"

namespace gorleak {

void write_trend_text(const Trend& trend, const ReportOptions& options, std::string* out);
void write_trend_json(const Trend& trend, const ReportOptions& options, std::string* out);
// A row (t.diff.rows[row]) of the JSON "groups", into an open object.
void write_trend_row_fields(JsonWriter& w, const Trend& trend, uint32_t row,
                            const ReportOptions& options);
// The same, as `--format text|json` entries of the format table (format.h).
void write_trend_text(const TrendInput& in, ReportOutput& out);
void write_trend_json(const TrendInput& in, ReportOutput& out);

}  // namespace gorleak
