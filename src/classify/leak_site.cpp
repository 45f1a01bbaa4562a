#include "classify/leak_site.h"

#include "model/func_name.h"
#include "model/user_code.h"

namespace gorleak {

LeakSiteFinder::LeakSiteFinder(std::vector<std::string> modules) : modules_(std::move(modules)) {}

bool LeakSiteFinder::is_user_func(std::string_view func) const {
  // The --module prefixes, or any code outside the standard library.
  return gorleak::is_user_func(func, {}) ||
         (!modules_.empty() && gorleak::is_user_func(func, modules_));
}

namespace {

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
  // 1–2. The frame reports highlight: the user's --module first, else the
  //      first frame outside the standard library and runtime.
  int user = find_user_frame(stack, catalog, modules_);
  if (user >= 0) {
    out.site = site_of(frames[static_cast<size_t>(user)]);
    out.frame_index = user;
    return out;
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
  // Never onto a runtime frame: crash dumps show the runtime's own frames
  // (runtime.selectgo above a closure that is the real job).
  while (i > 0 && !creator.empty() && is_trampoline_of(catalog.str(frames[i].func), creator) &&
         !is_runtime_func(catalog.str(frames[i - 1].func)))
    --i;
  out.site = site_of(frames[i]);
  out.frame_index = static_cast<int>(i);
  return out;
}

}  // namespace gorleak
