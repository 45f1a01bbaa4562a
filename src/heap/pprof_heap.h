// A heap profile in protobuf form (the default of /debug/pprof/heap and
// /debug/pprof/allocs, and of pprof.WriteHeapProfile) as a HeapProfile. Its
// values are already scaled for sampling by the runtime, so they are taken
// as they are, as `go tool pprof` does.
#pragma once

#include <string>

#include "model/catalog.h"
#include "model/heap_profile.h"
#include "parse/pprof_profile.h"

namespace gorleak {

// `profile.kind()` must be kHeap. Stacks are interned into `catalog`. False
// + one-line *error when a sample type gorleak needs is missing.
bool build_heap_profile(const PprofProfile& profile, Catalog& catalog, const std::string& name,
                        HeapProfile* out, std::string* error);

}  // namespace gorleak
