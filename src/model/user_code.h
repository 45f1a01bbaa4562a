// "Where in the user's code": the first frame of a stack that belongs to the
// user rather than to the Go standard library or runtime. Reports highlight
// it; it is the leak site a finding names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.h"
#include "model/stack.h"

namespace gorleak {

// True when `func` is the user's code: with `modules` given, its package
// path starts with one of them (at a path boundary); without, it is neither
// standard library nor runtime (model/func_name.h). Unknown symbols are not.
bool is_user_func(std::string_view func, const std::vector<std::string>& modules);

// Index of the first (innermost) user frame of `stack`, or -1 when every
// frame is stdlib/runtime. With `modules` given but no frame inside them,
// falls back to the first non-stdlib frame (a third-party library frame
// is still closer to the user than net/http is).
int find_user_frame(const Stack& stack, const Catalog& catalog,
                    const std::vector<std::string>& modules);

// Dimmed in colour output: standard library and runtime frames.
bool is_library_func(std::string_view func);

}  // namespace gorleak
