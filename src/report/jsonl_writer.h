// `--format jsonl`: JSON Lines, one JSON object per line (no other
// whitespace), for log pipelines (Loki, Elasticsearch, BigQuery, jq -c) and
// for loading many dumps into one table. Each line stands alone: it names
// its dump and carries its stack inline.
//
//   analyze                one line per finding (the default) or, with
//                          --jsonl groups, per group shown
//   diff                   one line per finding of the last dump, or per
//                          row (--jsonl groups)
//   trend                  one line per row
//
// Every line starts with "type" ("finding", "group", "diff_row",
// "trend_row"), then the dump it describes: "source" (input name),
// "snapshot" (0-based position among the snapshots, in input order),
// "time" (the dump file's modification time, RFC 3339 UTC, or null for
// stdin) and "form"; diff and trend lines name all their dumps in
// "sources". The rest are the fields of the JSON report's finding, group
// (with "frames" and "elided" instead of "stack") and diff/trend rows
// (docs/output.md). Written through report/json_writer.h, so every line is
// valid UTF-8 JSON whatever the dump held. Stable like the JSON report.
#pragma once

#include <memory>

#include "report/report_writer.h"

namespace gorleak {

std::unique_ptr<SnapshotWriter> make_jsonl_writer();
void write_jsonl_diff(const DiffInput& in, ReportOutput& out);
void write_jsonl_trend(const TrendInput& in, ReportOutput& out);

}  // namespace gorleak
