#include "model/goroutine.h"

namespace gorleak {

void Goroutine::clear() {
  // Keep capacities: the parser reuses one Goroutine for the whole input.
  has_id = false;
  id = 0;
  count = 1;
  line_no = 0;
  state.clear();
  category = StateCategory::kUnknown;
  state_inferred = false;
  wait_minutes = -1;
  locked_to_thread = false;
  leaked = false;
  durable = false;
  bubble = -1;
  partial = false;
  stack_unavailable = false;
  labels.clear();
  frames.clear();
  frames_hash = stack_hash_start();
  frames_hashed = 0;
  args.clear();
  args_text.clear();
  elided_count = 0;
  elided_at = 0;
  created_by = CreatedBy{};
  ancestors.clear();
}

}  // namespace gorleak
