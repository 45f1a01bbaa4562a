// What the group stage keeps of one goroutine once its stack and state are
// interned. The Grouper folds records into groups; the parallel loader
// (pipeline/split_load.h) makes them on worker threads, against a worker's
// own Catalog, and replays them into the main Grouper after remapping ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "group/grouper.h"
#include "model/catalog.h"
#include "model/goroutine.h"

namespace gorleak {

struct GoroutineRecord {
  StackId stack = 0;
  StrId state = 0;
  StateCategory category = StateCategory::kUnknown;
  bool state_inferred = false;
  bool has_id = false;
  bool leaked = false;
  bool locked_to_thread = false;
  uint64_t id = 0;
  uint64_t count = 1;
  uint64_t line_no = 0;
  int64_t wait_minutes = -1;
  CreatedBy created_by;
  // Before Go 1.21, the nearest `[originating from goroutine N]` section
  // names the creator.
  bool has_ancestor = false;
  uint64_t ancestor_id = 0;
  std::string labels;
};

// Copies every field of `g` a record keeps except the interned stack and
// state, which group/record_batch.h fills in.
void fill_record(const Goroutine& g, GoroutineRecord* out);

}  // namespace gorleak
