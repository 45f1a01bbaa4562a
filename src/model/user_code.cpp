#include "model/user_code.h"

#include "model/func_name.h"

namespace gorleak {

namespace {

// "example.com/app" owns "example.com/app.F" and "example.com/app/x.F", not
// "example.com/application.F".
bool in_module(std::string_view func, std::string_view module) {
  while (!module.empty() && (module.back() == '/' || module.back() == '.')) module.remove_suffix(1);
  if (module.empty() || func.size() <= module.size()) return false;
  if (func.compare(0, module.size(), module) != 0) return false;
  char next = func[module.size()];
  return next == '.' || next == '/';
}

bool is_non_stdlib(std::string_view func) {
  return !func.empty() && !is_stdlib_func(func) && !is_runtime_func(func);
}

}  // namespace

bool is_library_func(std::string_view func) {
  return is_stdlib_func(func) || is_runtime_func(func);
}

bool is_user_func(std::string_view func, const std::vector<std::string>& modules) {
  if (modules.empty()) return is_non_stdlib(func);
  for (const std::string& m : modules)
    if (in_module(func, m)) return true;
  return false;
}

int find_user_frame(const Stack& stack, const Catalog& catalog,
                    const std::vector<std::string>& modules) {
  for (size_t i = 0; i < stack.frames.size(); ++i)
    if (is_user_func(catalog.str(stack.frames[i].func), modules)) return static_cast<int>(i);
  if (modules.empty()) return -1;
  for (size_t i = 0; i < stack.frames.size(); ++i)
    if (is_non_stdlib(catalog.str(stack.frames[i].func))) return static_cast<int>(i);
  return -1;
}

}  // namespace gorleak
