// Loading the dumps of a command: every file into one catalog, in the order
// given; for `diff` and `trend` with the same-object collector watching the
// parser.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "diff/same_object.h"
#include "diff/snapshot_diff.h"
#include "fetch/fetch_dump.h"
#include "model/catalog.h"
#include "model/snapshot.h"
#include "pipeline/load.h"

namespace gorleak::cli {

struct SeriesInput {
  Catalog catalog;
  std::vector<Snapshot> snapshots;   // every snapshot of every file, in order
  // Heap profiles among the files (`gorleak diff` of heap profiles), in
  // order, and per file whether it was one.
  std::vector<HeapProfile> heap_profiles;
  std::vector<bool> file_is_heap;
  std::vector<std::string> names;    // per snapshot: "file" or "file#2"
  std::vector<size_t> file_of;       // per snapshot: index of its file
  std::unique_ptr<SameObjectCollector> same_object;  // hints()[i] ↔ snapshots[i]
};

// analyze and `baseline write`: every snapshot of every input (files loaded
// in parallel, URLs fetched in turn), in order. Prints one line and returns
// false on an unusable input; warnings are printed and the load goes on. A
// URL whose transfer broke off mid-body keeps what it read; its error goes
// to *failures, to print after the report. Heap profiles go to *heaps
// (refused as "no goroutine dump" when heaps is null).
bool load_dumps(Catalog& catalog, const std::vector<std::string>& files, const LoadOptions& load,
                const FetchDumpOptions& fetch, std::vector<Snapshot>* snapshots,
                std::vector<std::string>* failures, std::vector<HeapProfile>* heaps = nullptr);

// Prints a one-line error and returns false on an unusable input (a URL
// whose transfer failed included). Files holding several dumps contribute
// all of them (named file#1, file#2, …); URLs are fetched in turn; a heap
// profile goes to heap_profiles.
bool load_series(const std::vector<std::string>& files, const LoadOptions& load,
                 const FetchDumpOptions& fetch, SeriesInput* out);

// DiffDumps of the chosen snapshots.
std::vector<DiffDump> diff_dumps(const SeriesInput& in, const std::vector<size_t>& snapshots);

}  // namespace gorleak::cli
