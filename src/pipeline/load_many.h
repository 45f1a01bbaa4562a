// Loading several dumps at once (`gorleak diff`, `trend`, several FILEs):
// with jobs > 1 the files are parsed on parallel threads, each into a
// private Catalog, then merged into the shared one in input order. The merge
// interns strings and stacks in the order a sequential load would have met
// them, so every id, and therefore every report, is identical to jobs = 1.
#pragma once

#include <string>
#include <vector>

#include "pipeline/load.h"

namespace gorleak {

// One LoadResult per path, in the order of `paths`. A single file is split
// across the threads instead (split_load.h). Everything is read on one
// thread when options.observer is set (an observer sees catalog ids and is
// not thread-safe).
std::vector<LoadResult> load_dump_files(Catalog& catalog, const std::vector<std::string>& paths,
                                        const LoadOptions& options);

}  // namespace gorleak
