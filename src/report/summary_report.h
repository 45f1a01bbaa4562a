// `--summary`: the report in one screen, like `pprof -top`: per snapshot a
// header line, then one line per finding and one per large group (those the
// shared selection shows: --top, default 10, --min-count, --match,
// --exclude), each with its goroutine count, its share of the snapshot, and
// where it is (the leak site, else the top frame, as `func (file.go:line)`).
// Groups carry a running sum, as pprof's sum% column does.
//
//   dump.txt: debug2, 53 goroutines in 4 groups, 1 finding
//     count  share   sum%  finding
//        50  94.3%         HIGH chan-send-blocked  main.fetchFirst.func1 (main.go:33)
//     count  share   sum%  group
//        50  94.3%  94.3%  #1 chan send  main.fetchFirst.func1 (main.go:33)
#pragma once

#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/snapshot.h"
#include "report/group_filter.h"
#include "report/report_options.h"
#include "report/report_writer.h"

namespace gorleak {

void write_summary_report(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                          const ReportOptions& options, const GroupFilter& filter,
                          std::string* out);

// The same behind the writer interface: `--format text --summary`
// (report/format.h's write_report picks it).
std::unique_ptr<SnapshotWriter> make_summary_writer();

}  // namespace gorleak
