#include "group/goroutine_record.h"

namespace gorleak {

namespace {

StackId intern_stack(Catalog& catalog, GroupBy group_by, const Goroutine& g,
                     std::vector<Frame>* scratch) {
  if (group_by == GroupBy::kStack) {
    if (g.frames_hashed == g.frames.size()) {  // the parser hashed every frame
      uint64_t h = stack_hash_finish(g.frames_hash, g.frames.size(), g.created_by,
                                     g.elided_count, g.elided_at);
      return catalog.stacks.intern_hashed(h, g.frames.data(), g.frames.size(), g.created_by,
                                          g.elided_count, g.elided_at);
    }
    return catalog.stacks.intern(g.frames.data(), g.frames.size(), g.created_by,
                                 g.elided_count, g.elided_at);
  }
  // kFunction: the same stack with every line number zeroed. The buffer is
  // reused, so this costs no allocation once it has grown.
  scratch->assign(g.frames.begin(), g.frames.end());
  for (Frame& f : *scratch) f.line = 0;
  CreatedBy cb = g.created_by;
  cb.line = 0;
  return catalog.stacks.intern(scratch->data(), scratch->size(), cb, g.elided_count,
                               g.elided_at);
}

}  // namespace

void make_record(Catalog& catalog, GroupBy group_by, const Goroutine& g,
                 std::vector<Frame>* scratch, GoroutineRecord* out) {
  out->stack = intern_stack(catalog, group_by, g, scratch);
  out->state = catalog.strings.intern(g.state);
  out->category = g.category;
  out->state_inferred = g.state_inferred;
  out->has_id = g.has_id;
  out->leaked = g.leaked;
  out->locked_to_thread = g.locked_to_thread;
  out->id = g.id;
  out->count = g.count;
  out->line_no = g.line_no;
  out->wait_minutes = g.wait_minutes;
  out->created_by = g.created_by;
  out->has_ancestor = !g.ancestors.empty();
  out->ancestor_id = out->has_ancestor ? g.ancestors.front().id : 0;
  out->labels = g.labels;
}

}  // namespace gorleak
