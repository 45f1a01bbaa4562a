// The "stacks" table of the JSON report (schema 2). A dump of a busy
// process repeats the same stacks in many groups and, with appended
// profiles, in every snapshot; writing each distinct stack once keeps the
// report small. Groups refer to an entry by "stack": id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "report/json_writer.h"
#include "report/stack_facts.h"

namespace gorleak {

class JsonStackTable {
 public:
  // `facts`: each stack's leak site (user_frame); must outlive the table.
  explicit JsonStackTable(const StackFacts& facts);

  // The stack's id in the table, given on first use: ids are 0, 1, 2… in
  // the order the report first shows each stack, so they are deterministic.
  uint32_t add(StackId stack);
  // The id add() gave `stack`; the stack must have been added.
  uint32_t id(StackId stack) const { return ids_[stack]; }
  // find_user_frame of a stack, worked out once per stack however many
  // groups and snapshots show it.
  int user_frame(StackId stack) const { return facts_.user_frame(stack); }
  size_t size() const { return order_.size(); }
  const StackFacts& facts() const { return facts_; }

  // [{"id", "frames", "elided", "created_by"}…] in id order.
  void write(JsonWriter& w) const;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  const Catalog& catalog_;
  const StackFacts& facts_;
  std::vector<uint32_t> ids_;       // by StackId
  std::vector<StackId> order_;      // by table id
};

}  // namespace gorleak
