// The group stage: folds the parser's goroutine stream into Snapshots of
// Groups (same state + same stack), keeping counts, wait ranges and a few
// sample ids. Memory grows with distinct stacks, not with goroutines.
#pragma once

#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/snapshot.h"
#include "parse/dump_sink.h"

namespace gorleak {

enum class GroupBy : uint8_t {
  kStack,     // function + file:line of every frame, plus created-by
  kFunction,  // ignore line numbers (looser: survives small code changes)
  // kFunction, and arguments too: a frame whose arguments print as `(...)`
  // (inlined) and the same frame with values are one. Arguments are never
  // part of a stack otherwise; this is panicparse's aggressive mode.
  kSimilar,
};

struct GroupOptions {
  GroupBy group_by = GroupBy::kStack;
};

struct GoroutineRecord;

class Grouper : public DumpSink {
 public:
  Grouper(Catalog& catalog, GroupOptions options, std::string source_name,
          std::vector<Snapshot>* out);
  ~Grouper() override;

  void begin_snapshot(const SnapshotStart& start) override;
  void goroutine(const Goroutine& g) override;
  void end_snapshot(const SnapshotEnd& end) override;
  // A goroutine already reduced to a record whose ids are this Grouper's
  // catalog's (group/goroutine_record.h).
  void add_record(const GoroutineRecord& record);

 private:
  class Impl;
  Impl* impl_;
};

}  // namespace gorleak
