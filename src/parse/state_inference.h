// debug=1 profiles print no state. The visible frames often still say what
// a goroutine waits on (sync.(*Mutex).Lock, time.Sleep, netpoll); when they
// do, we name the state the runtime would have printed, marked as inferred.
#pragma once

#include <string_view>

#include "model/state.h"

namespace gorleak {

struct InferredState {
  std::string_view reason;  // e.g. "sync.Mutex.Lock", "IO wait"; empty: unknown
  StateCategory category = StateCategory::kUnknown;
};

// `top` is the innermost visible frame's function, `next` the one below it.
InferredState infer_state(std::string_view top, std::string_view next);

}  // namespace gorleak
