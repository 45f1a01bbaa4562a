// The library's front door: read a dump (file, stdin or memory), parse and
// group it. Tests, the CLI and the benchmarks all come through here. Profiles
// are recognised too: a goroutine profile in protobuf form becomes a
// snapshot like any dump (Form::kProto), a heap profile (protobuf or debug=1
// text) a HeapProfile; any other pprof profile is refused by name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "group/grouper.h"
#include "model/catalog.h"
#include "model/diagnostic.h"
#include "model/heap_profile.h"
#include "model/snapshot.h"
#include "parse/dump_sink.h"
#include "read/mapped_file_source.h"

namespace gorleak {

struct LoadOptions {
  GroupOptions group;
  // Threads: several files load in parallel (load_many.h); one input is
  // split across threads (pipeline/split_load.h). Output is the same for
  // any value.
  unsigned jobs = 1;
  size_t split_block_bytes = size_t{4} << 20;  // block size when splitting one input
  size_t max_line_bytes = 1 << 20;  // longer lines are cut and reported
  // Regular files are read in place through mmap windows of this size
  // (read/mapped_file_source.h); 0 reads them with read() like any input.
  size_t map_window_bytes = kDefaultMapWindowBytes;
  // Sees every goroutine right after the Grouper (parse/tee_sink.h), for
  // what groups do not keep, e.g. argument values (diff/same_object.h).
  DumpSink* observer = nullptr;
};

struct LoadResult {
  std::vector<Snapshot> snapshots;
  // A heap profile holds no goroutines: `snapshots` is then empty and this
  // holds the one profile.
  std::vector<HeapProfile> heap_profiles;
  // Input-level problems (cannot open, binary, not a dump…). When `ok` is
  // false the first error explains why in one line.
  std::vector<Diagnostic> diagnostics;
  bool ok = true;
  uint64_t bytes = 0;
  uint64_t lines = 0;
  // Split across threads: blocks read, and how many a worker's parse was
  // used for (the others were read again in order; see split_load.h).
  uint64_t split_blocks = 0;
  uint64_t split_absorbed = 0;
  uint64_t split_mapped = 0;  // read in place from mappings of the file
};

// `path` "-" reads standard input.
LoadResult load_dump_file(Catalog& catalog, const std::string& path,
                          const LoadOptions& options = {});
LoadResult load_dump_text(Catalog& catalog, std::string_view text,
                          const std::string& name,
                          const LoadOptions& options = {});

}  // namespace gorleak
