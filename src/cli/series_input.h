// Loading the dumps of `diff` and `trend`: every file into one catalog, in
// the order given, with the same-object collector watching the parser.
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
  std::vector<std::string> names;    // per snapshot: "file" or "file#2"
  std::vector<size_t> file_of;       // per snapshot: index of its file
  std::unique_ptr<SameObjectCollector> same_object;  // hints()[i] ↔ snapshots[i]
};

// Prints a one-line error and returns false on an unusable input (a URL
// whose transfer failed included). Files holding several dumps contribute
// all of them (named file#1, file#2, …); URLs are fetched in turn.
bool load_series(const std::vector<std::string>& files, const LoadOptions& load,
                 const FetchDumpOptions& fetch, SeriesInput* out);

// DiffDumps of the chosen snapshots.
std::vector<DiffDump> diff_dumps(const SeriesInput& in, const std::vector<size_t>& snapshots);

}  // namespace gorleak::cli
