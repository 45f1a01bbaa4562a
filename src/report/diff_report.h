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
#include "report/report_options.h"

namespace gorleak {

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

// The diff's leak verdict in one line (three or more dumps), e.g.
// "1 group grew under load and stayed: a leak" / "no group stayed …".
std::string diff_verdict(const SnapshotDiff& diff);

}  // namespace gorleak
