#include "classify/ignore_list.h"

#include <algorithm>

#include "model/func_name.h"

namespace gorleak {

namespace {

bool listed(const std::vector<std::string>& names, std::string_view f) {
  return std::find(names.begin(), names.end(), f) != names.end();
}

}  // namespace

bool IgnoreList::ignores(const Catalog& catalog, const Stack& stack) const {
  if (empty()) return false;
  if (!top.empty()) {
    // Crash dumps with GOTRACEBACK=all still show runtime.gopark & co. on
    // top; the top function a goleak user names is the first one above them.
    for (const Frame& f : stack.frames) {
      std::string_view name = catalog.str(f.func);
      if (listed(top, name)) return true;
      if (!is_runtime_func(name)) break;
    }
  }
  if (!any.empty())
    for (const Frame& f : stack.frames)
      if (listed(any, catalog.str(f.func))) return true;
  if (!created_by.empty() && stack.created_by.present() &&
      listed(created_by, catalog.str(stack.created_by.func)))
    return true;
  return false;
}

}  // namespace gorleak
