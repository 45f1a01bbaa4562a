// Output of `gorleak diff`: the state table (before, after, delta), the
// groups that changed with their counts per dump, the findings of the last
// dump marked growth-confirmed, who spawned the blocked groups, and the
// same-object hints. Text for people, JSON with the schema in docs/diff.md:
// {"dumps", "states", "groups", "findings", …}.
#pragma once

#include <string>
#include <vector>

#include "diff/creation_forest.h"
#include "diff/same_object.h"
#include "classify/leak_site.h"
#include "diff/snapshot_diff.h"
#include "model/finding.h"
#include "report/json_writer.h"
#include "report/report_options.h"
#include "report/report_writer.h"

namespace gorleak {

// The JSON of diff, trend, probe and history. 1: `likely_leaks`,
// `min_growth`, `restarts`, per group `grows` and `site_in_stdlib`; a
// group's `site` is the entry point when no user frame (was null).
inline constexpr int kDiffJsonSchemaVersion = 1;

struct DiffReport {
  const SnapshotDiff* diff = nullptr;
  // The dump the findings, spawn attributions and hints describe (the last).
  size_t focus = 0;
  std::vector<Finding> findings;          // group indices into the focus dump
  std::vector<SpawnAttribution> spawned;  // of the focus dump
  std::vector<SameObjectHint> same_object;
  bool classified = false;  // false: no rules ran (findings stays empty)
  uint64_t suppressed = 0;  // findings a --baseline took out (suppress/)
};

void write_diff_text(const DiffReport& report, const ReportOptions& options, std::string* out);
void write_diff_json(const DiffReport& report, const ReportOptions& options, std::string* out);
// The same, as `--format text|json` entries of the format table (format.h).
void write_diff_text(const DiffInput& in, ReportOutput& out);
void write_diff_json(const DiffInput& in, ReportOutput& out);

// A row of the diff's JSON "groups", into an object the caller opened:
// status, counts, delta, grows, state, category, then write_json_row_stack
// (report/diff_rows.h).
void write_diff_row_fields(JsonWriter& w, const SnapshotDiff& diff, const DiffRow& row,
                           const LeakSiteFinder& sites);

// The diff's leak verdict in one line (diff/verdict.h), e.g. "1 group grew
// under load and stayed after it: likely leak" (three dumps) or "2 groups
// grew by 5 or more: likely leaks" (two).
std::string diff_verdict(const SnapshotDiff& diff);

// Pieces shared with the other series outputs (trend, watch, history):
// {"schema_version", "dumps", "signature", "min_growth", "restarts",
// "totals", "states"} of the JSON, and the text's findings section.
void write_json_series_head(JsonWriter& w, const SnapshotDiff& diff);
void write_text_series_findings(const SnapshotDiff& diff, size_t focus,
                                const std::vector<Finding>& findings,
                                const ReportOptions& options, std::string* out,
                                uint64_t suppressed = 0);

}  // namespace gorleak
