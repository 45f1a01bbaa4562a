#include "classify/leak_site.h"

#include "model/func_name.h"

namespace gorleak {

LeakSiteFinder::LeakSiteFinder(std::vector<std::string> modules) : modules_(std::move(modules)) {}

bool LeakSiteFinder::is_user_func(std::string_view func) const {
  if (func.empty()) return false;
  for (const auto& m : modules_)
    if (func.substr(0, m.size()) == m) return true;
  return !is_stdlib_func(func);
}

namespace {

bool in_modules(std::string_view func, const std::vector<std::string>& modules) {
  for (const auto& m : modules)
    if (func.substr(0, m.size()) == m) return true;
  return false;
}

SourceSite site_of(const Frame& f) { return SourceSite{f.func, f.file, f.line}; }

// "os/exec.(*Cmd).Start.func2" or "pkg.run.gowrap1" for creator "pkg.run".
// "pkg.F" for a closure "pkg.F.func2" / "pkg.F.gowrap1", "" otherwise.
std::string_view closure_owner(std::string_view func) {
  size_t dot = func.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string_view last = func.substr(dot + 1);
  std::string_view digits = last.substr(0, 4) == "func"     ? last.substr(4)
                            : last.substr(0, 6) == "gowrap" ? last.substr(6)
                                                            : std::string_view();
  if (digits.empty()) return {};
  for (char c : digits)
    if (c < '0' || c > '9') return {};
  return func.substr(0, dot);
}

bool is_trampoline_of(std::string_view func, std::string_view creator) {
  if (func.size() <= creator.size() + 1 || func.substr(0, creator.size()) != creator ||
      func[creator.size()] != '.')
    return false;
  std::string_view rest = func.substr(creator.size() + 1);
  std::string_view digits;
  if (rest.substr(0, 4) == "func") digits = rest.substr(4);
  else if (rest.substr(0, 6) == "gowrap") digits = rest.substr(6);
  else return false;
  if (digits.empty()) return false;
  for (char c : digits)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

LeakSite LeakSiteFinder::find(const Catalog& catalog, const Stack& stack) const {
  LeakSite out;
  const auto& frames = stack.frames;
  // 1. --module: the user's own module wins over third-party libraries.
  if (!modules_.empty()) {
    for (size_t i = 0; i < frames.size(); ++i) {
      if (in_modules(catalog.str(frames[i].func), modules_)) {
        out.site = site_of(frames[i]);
        out.frame_index = static_cast<int>(i);
        return out;
      }
    }
  }
  // 2. The first frame outside the standard library and runtime.
  for (size_t i = 0; i < frames.size(); ++i) {
    std::string_view f = catalog.str(frames[i].func);
    if (!f.empty() && !is_stdlib_func(f)) {
      out.site = site_of(frames[i]);
      out.frame_index = static_cast<int>(i);
      return out;
    }
  }
  // 3. All stdlib: the entry point, i.e. the outermost real frame (the
  //    function the goroutine was started with), skipping runtime.goexit.
  //    Closures of the created-by function (`go func() { errc <- fn() }()`
  //    in os/exec.(*Cmd).Start, Go 1.22+ `.gowrapN` wrappers) are only
  //    trampolines: the function they run, further up, names the job.
  //    debug=1 prints no created-by line; then the bottom closure's own
  //    function stands in for the creator.
  out.in_stdlib = true;
  std::string_view creator = catalog.str(stack.created_by.func);
  size_t bottom = frames.size();
  while (bottom > 0) {
    std::string_view f = catalog.str(frames[bottom - 1].func);
    if (!f.empty() && f != "runtime.goexit") break;
    --bottom;
  }
  if (bottom == 0) return out;
  size_t i = bottom - 1;
  if (creator.empty()) creator = closure_owner(catalog.str(frames[i].func));
  while (i > 0 && !creator.empty() && is_trampoline_of(catalog.str(frames[i].func), creator)) --i;
  out.site = site_of(frames[i]);
  out.frame_index = static_cast<int>(i);
  return out;
}

}  // namespace gorleak
