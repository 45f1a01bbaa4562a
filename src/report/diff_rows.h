// How a row of a comparison (diff/snapshot_diff.h) is shown, the same way
// in diff, trend, probe, watch and history, text and JSON:
//
// - its site is the leak site of its stack (classify/leak_site.h): the
//   first frame of the user's code, else the goroutine's entry point, so a
//   runtime goroutine shows as runtime.gcBgMarkWorker, never runtime.gopark;
//   text prints it as "func  /full/path/file.go:42", as diff always did;
// - two rows that print the same text (a `new` and a `gone` row after a
//   one-line change, stacks that differ below the shown frames) each also
//   show the first frame where they differ;
// - JSON: a row's "site", "site_in_stdlib", "frames", "created_by", and the
//   verdict's "likely_leaks" entries.
#pragma once

#include <string>
#include <vector>

#include "classify/leak_site.h"
#include "diff/snapshot_diff.h"
#include "diff/verdict.h"
#include "model/finding.h"
#include "report/json_writer.h"

namespace gorleak {

LeakSite row_site(const SnapshotDiff& d, const DiffRow& row, const LeakSiteFinder& sites);
// "main.search.func1  /src/app/main.go:45" ("(no frames)" for an empty stack).
std::string row_site_text(const SnapshotDiff& d, const DiffRow& row, const LeakSiteFinder& sites);

// The first frame index at which the two rows' stacks differ (function,
// file or line); frames.size() of the shorter when one is a prefix of the
// other or only the created-by site differs; -1 when they are the same.
int first_difference(const SnapshotDiff& d, const DiffRow& a, const DiffRow& b);
// "frame 3: pkg.f  /src/x.go:12", or "created by pkg.g  /src/y.go:7", for
// the row `a` at `first_difference(d, a, b)`.
std::string difference_text(const SnapshotDiff& d, const DiffRow& a, int at);

// For a list of rows printed with the texts `printed` (one per row): for
// each row, the row it collides with (same text), or -1.
std::vector<int> colliding_rows(const std::vector<std::string>& printed);

// The fields "site", "site_in_stdlib", "frames", "created_by" of a row.
void write_json_row_stack(JsonWriter& w, const SnapshotDiff& d, const DiffRow& row,
                          const LeakSiteFinder& sites);

// "likely_leaks": [{"status", "grows", "counts", "state", "category",
// "site", "site_in_stdlib", "frames", "created_by", "proven", "severity",
// "findings": [{"rule", "severity", "growth_confirmed"}]}…]; `findings` are
// the focus dump's.
void write_json_likely_leaks(JsonWriter& w, const SnapshotDiff& d,
                             const std::vector<LikelyLeak>& leaks,
                             const std::vector<Finding>& findings, size_t focus,
                             const LeakSiteFinder& sites);

}  // namespace gorleak
