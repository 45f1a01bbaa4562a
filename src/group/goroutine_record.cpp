#include "group/goroutine_record.h"

namespace gorleak {

void fill_record(const Goroutine& g, GoroutineRecord* out) {
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
