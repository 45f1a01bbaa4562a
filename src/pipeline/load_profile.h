// The profile branch of the front door (pipeline/load.h): inputs that are
// pprof profiles rather than goroutine dumps. Called by load.cpp once it has
// sniffed the input (read/sniff.h) and unwrapped gzip.
#pragma once

#include <memory>
#include <string>

#include "model/catalog.h"
#include "pipeline/load.h"
#include "read/byte_source.h"

namespace gorleak {

// A profile.proto input: a goroutine or goroutineleak profile becomes one
// Form::kProto snapshot, a heap profile a HeapProfile; a CPU, contention or
// thread creation profile is refused with a message naming it. `gzip` says
// whether the input was compressed (for messages).
LoadResult load_pprof_input(Catalog& catalog, ByteSource& source, const std::string& name,
                            const LoadOptions& options, bool gzip);

// A debug=1 text heap profile (`heap profile:` header).
LoadResult load_heap_text_input(Catalog& catalog, ByteSource& source, const std::string& name);

}  // namespace gorleak
