// Reading one input on several threads (`-j N`). The input is cut into
// blocks of whole lines, each ending just before a goroutine header (or a
// debug=1 record) that follows a blank line. Workers parse blocks on their
// own, assuming each continues an open snapshot; the main thread takes the
// results in input order, checks that assumption against the state its own
// parser reached there, and either replays the block's goroutines into the
// Grouper or parses the block again itself. The output is therefore the
// same as reading the input on one thread, whatever N is.
#pragma once

#include <cstddef>

#include "group/grouper.h"
#include "model/catalog.h"
#include "parse/parser.h"
#include "read/byte_source.h"
#include "read/line_reader.h"

namespace gorleak {

// How the work was shared, for tests and the benchmark.
struct SplitStats {
  uint64_t blocks = 0;
  uint64_t parsed = 0;    // given to a worker (the rest the main thread reads alone)
  uint64_t absorbed = 0;  // parsed by a worker and used as is
  uint64_t mapped = 0;    // read in place from a mapping of the file
  uint64_t worker_read = 0;  // given to a worker with its head still to read
};

// The defaults LoadOptions (pipeline/load.h) passes on: 1 MiB blocks, and
// lines cut at 1 MiB.
constexpr size_t kDefaultSplitBlockBytes = size_t{1} << 20;
constexpr size_t kDefaultMaxLineBytes = size_t{1} << 20;

struct SplitOptions {
  unsigned jobs = 2;                                // worker threads
  size_t block_bytes = kDefaultSplitBlockBytes;     // tests use small blocks to split often
  size_t max_line_bytes = kDefaultMaxLineBytes;
  GroupBy group_by = GroupBy::kStack;
  SplitStats* stats = nullptr;  // filled when set
};

// Reads all of `src` into `parser`, whose sink must be `grouper`; `catalog`
// is the one both use. Same contract as read_lines.
LineReaderResult read_split(ByteSource& src, Parser& parser, Grouper& grouper,
                            Catalog& catalog, const SplitOptions& options);

}  // namespace gorleak
