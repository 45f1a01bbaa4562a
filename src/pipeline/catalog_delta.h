// Moving ids between catalogs while they grow. A worker thread interns into
// its own Catalog; after each fragment it copies out what is new (a
// CatalogDelta), and the main thread, which never touches the worker's
// tables, interns those entries into the shared Catalog in fragment order.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "group/goroutine_record.h"
#include "model/catalog.h"

namespace gorleak {

struct CatalogDelta {
  StrId first_string = 0;
  // Views into the worker's string storage, which never moves or changes.
  std::vector<std::string_view> strings;
  StackId first_stack = 0;
  std::vector<Stack> stacks;
};

// How far a worker's catalog had grown when its last delta was taken.
struct CatalogMark {
  size_t strings = 0;
  size_t stacks = 0;
};

// Everything `local` gained since *mark; advances *mark.
CatalogDelta take_delta(const Catalog& local, CatalogMark* mark);

// One worker's local -> shared id maps, extended delta by delta.
class CatalogRemap {
 public:
  explicit CatalogRemap(Catalog& shared) : shared_(shared) {}
  void apply(const CatalogDelta& delta);
  void remap(GoroutineRecord* record) const;

 private:
  Catalog& shared_;
  std::vector<StrId> strings_;
  std::vector<StackId> stacks_;
  std::vector<Frame> frames_;  // scratch
};

}  // namespace gorleak
