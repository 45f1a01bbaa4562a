#include "report/json_stacks.h"

#include "report/json_report.h"

#include <string>
#include <unordered_map>


namespace gorleak {

JsonStackTable::JsonStackTable(const StackFacts& facts)
    : catalog_(facts.catalog()), facts_(facts), ids_(facts.catalog().stacks.size(), kNone) {}

uint32_t JsonStackTable::add(StackId stack) {
  uint32_t& id = ids_[stack];
  if (id == kNone) {
    id = static_cast<uint32_t>(order_.size());
    order_.push_back(stack);
  }
  return id;
}

namespace {

// What a frame object shows: a frame's flags are not part of it.
struct FrameKey {
  StrId func;
  StrId file;
  uint32_t line;
  bool operator==(const FrameKey&) const = default;
};

struct FrameKeyHash {
  size_t operator()(const FrameKey& k) const {
    return hash_mix(hash_mix(k.func, k.file), k.line);
  }
};

}  // namespace

void JsonStackTable::write(JsonWriter& w) const {
  // The same frame recurs in many stacks (every stack that blocks in a
  // channel receive starts with the same runtime frames): each distinct
  // frame object is formatted once and copied after that.
  std::unordered_map<FrameKey, std::string, FrameKeyHash> rendered;
  w.begin_array();
  for (uint32_t id = 0; id < order_.size(); ++id) {
    const Stack& stack = catalog_.stacks.get(order_[id]);
    w.begin_object();
    w.field("id", id);
    w.key("frames");
    w.begin_array();
    for (const Frame& f : stack.frames) {
      auto [it, fresh] = rendered.try_emplace(FrameKey{f.func, f.file, f.line});
      if (fresh) {
        JsonWriter fw(&it->second, w.indent(), w.depth());
        fw.begin_object();
        fw.field("func", catalog_.str(f.func));
        fw.field("file", catalog_.str(f.file));
        fw.field("line", f.line);
        fw.end_object();
      }
      w.raw_value(it->second);
    }
    w.end_array();
    w.key("elided");
    write_json_elided(w, stack);
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
