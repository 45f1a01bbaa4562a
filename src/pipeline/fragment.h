// One block of input as the split loader (pipeline/split_load.h) passes it
// between threads: whole lines, and what a worker made of them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "group/goroutine_record.h"
#include "parse/parser.h"
#include "pipeline/catalog_delta.h"
#include "read/mapped_region.h"

namespace gorleak {

struct Fragment {
  // Whole lines; only the input's last may lack its '\n'. They lie in
  // `region` when the input is a file read in place, else in `data`: a raw
  // buffer, reused from fragment to fragment, so blocks are never
  // zero-filled.
  const char* bytes = nullptr;
  size_t size = 0;
  std::string_view text() const { return {bytes, size}; }
  MappedRegion region;
  std::unique_ptr<char[]> data;
  size_t capacity = 0;
  // Starts at a goroutine header or debug=1 record that follows a blank
  // line, so a worker can read it without knowing what came before.
  bool parallel = false;
  Form form = Form::kDebug2;  // the snapshot form its first line continues
  // The input has a line too long to cut blocks at: this fragment and the
  // rest of the input are read line by line on the main thread.
  bool rest_of_input = false;
  // Bytes [0, unread) are still in the file `fd`, from offset `unread_at`
  // on: the main thread read only the tail it cut the block at, and the
  // thread that parses the block reads the rest (read_unread()).
  int fd = -1;
  uint64_t unread_at = 0;
  size_t unread = 0;
  std::string unread_error;  // why read_unread() failed; then unread stays

  // Filled by the worker.
  bool parsed = false;  // guarded by the worker pool's mutex
  unsigned worker = 0;
  FragmentSummary summary;
  std::vector<GoroutineRecord> records;  // ids local to the worker's Catalog
  CatalogDelta delta;
};

class RecordingSink;

// What a worker keeps from one fragment to the next: its catalog, and a
// parser whose line memos refer to that catalog.
struct FragmentWorker {
  explicit FragmentWorker(unsigned index, GroupBy group_by);
  ~FragmentWorker();
  unsigned index = 0;
  Catalog catalog;
  CatalogMark mark;
  std::unique_ptr<RecordingSink> sink;
  std::unique_ptr<Parser> parser;
};

// Reads the bytes of `f` its block reader left in the file (unread), on
// whichever thread parses it. False, with unread_error set, when the file no
// longer holds them all.
bool read_unread(Fragment& f);

// Parses `f` on `worker`. Stops early once the fragment cannot be absorbed
// (the main parser reads it again), but always takes the catalog delta.
void parse_fragment(Fragment& f, FragmentWorker& worker, size_t max_line_bytes);

}  // namespace gorleak
