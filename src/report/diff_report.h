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
#include "diff/snapshot_diff.h"
#include "model/finding.h"
#include "report/json_writer.h"
#include "report/report_options.h"
#include "report/report_writer.h"

namespace gorleak {

struct DiffReport {
  const SnapshotDiff* diff = nullptr;
  // The dump the findings, spawn attributions and hints describe (the last).
  size_t focus = 0;
  std::vector<Finding> findings;          // group indices into the focus dump
  std::vector<SpawnAttribution> spawned;  // of the focus dump
  std::vector<SameObjectHint> same_object;
  bool classified = false;  // false: no rules ran (findings stays empty)
};

void write_diff_text(const DiffReport& report, const ReportOptions& options, std::string* out);
void write_diff_json(const DiffReport& report, const ReportOptions& options, std::string* out);
// The same, as `--format text|json` entries of the format table (format.h).
void write_diff_text(const DiffInput& in, ReportOutput& out);
void write_diff_json(const DiffInput& in, ReportOutput& out);

// A row of the diff's JSON "groups", into an object the caller opened:
// status, counts, delta, then write_row_stack_fields.
void write_diff_row_fields(JsonWriter& w, const SnapshotDiff& diff, const DiffRow& row,
                           const ReportOptions& options);
// What diff and trend rows share: state, category, site, frames (inline)
// and created_by.
void write_row_stack_fields(JsonWriter& w, const SnapshotDiff& diff, const DiffRow& row,
                            const ReportOptions& options);

// The diff's leak verdict in one line (three or more dumps), e.g.
// "1 group grew under load and stayed: a leak" / "no group stayed …".
std::string diff_verdict(const SnapshotDiff& diff);

}  // namespace gorleak
