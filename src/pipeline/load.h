// The library's front door: read a dump (file, stdin or memory), parse and
// group it. Tests, the CLI and the benchmarks all come through here. Profiles
// are recognised too: a goroutine profile in protobuf form becomes a
// snapshot like any dump (Form::kProto), a heap profile (protobuf or debug=1
// text) a HeapProfile; any other pprof profile is refused by name.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "group/grouper.h"
#include "model/catalog.h"
#include "model/diagnostic.h"
#include "model/heap_profile.h"
#include "model/snapshot.h"
#include "read/sniff.h"
#include "parse/dump_sink.h"
#include "pipeline/split_load.h"
#include "read/byte_source.h"
#include "read/mapped_file_source.h"

namespace gorleak {

struct LoadOptions {
  GroupOptions group;
  // Threads: several files load in parallel (load_many.h); one input is
  // split across threads (pipeline/split_load.h). Output is the same for
  // any value.
  unsigned jobs = 1;
  // Block size when splitting one input: 1 MiB blocks, read with pread(),
  // kept the peak RSS of -j 2 as low as -j 1 with no loss of speed
  // (docs/bench.md, "Mapped or read").
  size_t split_block_bytes = kDefaultSplitBlockBytes;
  size_t max_line_bytes = kDefaultMaxLineBytes;  // longer lines are cut and reported
  // Regular files are read through mmap windows of this size, or with
  // pread() when 0 (read/mapped_file_source.h). pread() by default: it was
  // 15-35% faster on the bench machine (docs/bench.md, "Mapped or read").
  size_t map_window_bytes = 0;
  // Sees every goroutine right after the Grouper (parse/tee_sink.h), for
  // what groups do not keep, e.g. argument values (diff/same_object.h).
  DumpSink* observer = nullptr;
  // Called after each window the reader takes, with the bytes read so far
  // and the goroutines parsed so far (with jobs > 1, those the main thread
  // has absorbed: a lower bound). For a progress line; null: not called.
  std::function<void(uint64_t bytes, uint64_t goroutines)> progress;
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
  uint64_t split_parsed = 0;  // given to a worker to parse
  uint64_t split_absorbed = 0;
  uint64_t split_mapped = 0;  // read in place from mappings of the file
  uint64_t split_worker_read = 0;  // given to a worker to read most of, too
};

// The first step of every load, for readers of dump text that do not parse
// it (`gorleak redact`): sniffs the start of *source, unwraps gzip and
// refuses what is not text (binary, protobuf, images…) with the loader's
// one-line Diagnostic. On success *source serves the text from its first
// byte, and *head holds its first 64 KiB.
bool sniff_text(std::unique_ptr<ByteSource>* source, const std::string& name, std::string* head,
                Diagnostic* error);
// The same without the refusal: *kind says what the input is (gzip
// unwrapped, *gzip then true) and *source serves it from its first byte.
bool sniff_input(std::unique_ptr<ByteSource>* source, const std::string& name,
                 std::string* head, ContentKind* kind, bool* gzip, Diagnostic* error);

// `path` "-" reads standard input.
LoadResult load_dump_file(Catalog& catalog, const std::string& path,
                          const LoadOptions& options = {});
LoadResult load_dump_text(Catalog& catalog, std::string_view text,
                          const std::string& name,
                          const LoadOptions& options = {});
// Any source (a URL's body, fetch/http_source.h), sniffed and gunzipped as
// a file is. When the source fails after some goroutines were read, the
// result keeps them: its last snapshot is marked truncated, `ok` stays true
// and the failure is an error Diagnostic.
LoadResult load_dump_source(Catalog& catalog, std::unique_ptr<ByteSource> source,
                            const std::string& name, const LoadOptions& options = {});

}  // namespace gorleak
