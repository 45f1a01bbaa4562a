#include "report/json_stacks.h"

namespace gorleak {

JsonStackTable::JsonStackTable(const Catalog& catalog)
    : catalog_(catalog), ids_(catalog.stacks.size(), kNone) {}

uint32_t JsonStackTable::add(StackId stack) {
  uint32_t& id = ids_[stack];
  if (id == kNone) {
    id = static_cast<uint32_t>(order_.size());
    order_.push_back(stack);
  }
  return id;
}

void JsonStackTable::write(JsonWriter& w) const {
  w.begin_array();
  for (uint32_t id = 0; id < order_.size(); ++id) {
    const Stack& stack = catalog_.stacks.get(order_[id]);
    w.begin_object();
    w.field("id", id);
    w.key("frames");
    w.begin_array();
    for (const Frame& f : stack.frames) {
      w.begin_object();
      w.field("func", catalog_.str(f.func));
      w.field("file", catalog_.str(f.file));
      w.field("line", f.line);
      w.end_object();
    }
    w.end_array();
    w.key("elided");
    if (stack.elided_count == 0) {
      w.null();
    } else {
      w.begin_object();
      w.field("after_frame", stack.elided_at);
      if (stack.elided_count > 0) w.field("count", stack.elided_count);
      else w.null_field("count");
      w.end_object();
    }
    // The creator is part of the stack's identity: the same frames started
    // by two different `go` statements are two stacks.
    w.key("created_by");
    if (!stack.created_by.present()) {
      w.null();
    } else {
      w.begin_object();
      w.field("func", catalog_.str(stack.created_by.func));
      w.field("file", catalog_.str(stack.created_by.file));
      w.field("line", stack.created_by.line);
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
}

}  // namespace gorleak
