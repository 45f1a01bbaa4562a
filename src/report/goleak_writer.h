// `--format goleak`: Go code for go.uber.org/goleak, so that goroutines a
// team has decided are expected stop failing its leak tests. The output is
// a comment and one option per line, each ending in a comma, to paste into
// `goleak.VerifyNone(t, …)`, `goleak.VerifyTestMain(m, …)` or a
// `[]goleak.Option{…}`:
//
//   // gorleak: 2 groups (5 goroutines) of dump.txt expected; …
//   goleak.IgnoreTopFunction("example.com/app.(*Poller).run"), // group #2: 4 goroutines, select
//   goleak.IgnoreAnyFunction("example.com/app.startCache"),    // group #5: 1 goroutine, chan receive
//
// Which groups: those the shared selection shows (--match, --exclude,
// --min-count, --top: report/group_filter.h), except the groups of findings
// above info, which are leaks and get a comment line instead of an option: a
// team accepts a finding with --baseline, not by hiding it from goleak. With
// no filter, that is every group no rule reported as a leak.
//
// Which option: goleak compares functions as a level-1 traceback shows
// them, where unexported runtime frames are hidden. When that top frame is
// outside the standard library it is precise: IgnoreTopFunction(top).
// Otherwise the top is a shared primitive (a channel, a mutex, the network
// poller), too broad to ignore, so the goroutine is named by its first frame
// outside the standard library - IgnoreAnyFunction(it) - or, with none, by
// its entry function (the outermost frame that is not a `go` wrapper). IgnoreAnyFunction needs goleak
// v1.3.0 or later; the header comment says so when one is printed.
// Options are printed once each, in group order. Function names are Go
// string literals from go_quote (report/go_literal.h); comments hold only
// numbers and state category names, so a hostile dump cannot inject code.
#pragma once

#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/snapshot.h"
#include "report/group_filter.h"
#include "report/report_options.h"
#include "report/report_writer.h"

namespace gorleak {

// Appends the options for every snapshot (one block each) to *out.
void write_goleak_options(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                          const ReportOptions& options, const GroupFilter& filter,
                          std::string* out);

// The same behind the writer interface (`--format goleak`, report/format.h).
std::unique_ptr<SnapshotWriter> make_goleak_writer();

// The top function goleak sees for a stack (see above), or "" when none.
std::string_view goleak_top_function(const Stack& stack, const Catalog& catalog);

}  // namespace gorleak
