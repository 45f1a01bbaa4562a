// Loading the dumps of `diff` and `trend`: every file into one catalog, in
// the order given, with the same-object collector watching the parser.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "diff/same_object.h"
#include "diff/snapshot_diff.h"
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

// Prints a one-line error and returns false on an unusable input. Files
// holding several dumps contribute all of them (named file#1, file#2, …); a
// heap profile goes to heap_profiles.
bool load_series(const std::vector<std::string>& files, const LoadOptions& load, SeriesInput* out);

// DiffDumps of the chosen snapshots.
std::vector<DiffDump> diff_dumps(const SeriesInput& in, const std::vector<size_t>& snapshots);

}  // namespace gorleak::cli
