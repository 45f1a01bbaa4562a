// What `gorleak heap`, `gorleak FILE` on a heap profile and `gorleak diff`
// on heap profiles share: the heap options (--sample-index, --min-growth),
// and writing a heap report or heap diff in the chosen format. The format
// is picked here once; the writers live in report/heap_*_report.h.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/options.h"
#include "cli/rule_options.h"
#include "heap/heap_report.h"
#include "model/catalog.h"
#include "model/heap_profile.h"
#include "model/snapshot.h"

namespace gorleak::cli {

struct HeapOptions {
  std::string sample_index = "inuse_space";
  std::string min_growth = "1MiB";
  double stay_fraction = 0.5;
};

void add_heap_options(po::options_description& desc, HeapOptions* o);

// Checks and converts; false + one-line message on a bad value.
bool make_heap_report_options(const HeapOptions& heap, const OutputOptions& output,
                              HeapReportOptions* out, std::string* error);

// `gorleak heap FILE…`: every heap profile, classified by the heap rules,
// and joined with the (classified) goroutine dumps given alongside.
// Returns the exit code.
int report_heap(const std::vector<HeapProfile>& profiles, const std::vector<Snapshot>& snapshots,
                const Catalog& catalog, RuleEngine& engine, const OutputOptions& output,
                const HeapOptions& heap, const std::string& fail_on);

// `gorleak heap diff BASE NEW [AFTER]`. Returns the exit code.
int report_heap_diff(const std::vector<const HeapProfile*>& profiles, const Catalog& catalog,
                     RuleEngine& engine, const OutputOptions& output, const HeapOptions& heap,
                     const std::string& fail_on);

// Refuses a series that mixes heap profiles and goroutine dumps, naming the
// first file of each kind; `kinds[i]` is true for a heap profile.
bool check_same_kind(const std::vector<std::string>& files, const std::vector<bool>& kinds,
                     std::string* error);

}  // namespace gorleak::cli
