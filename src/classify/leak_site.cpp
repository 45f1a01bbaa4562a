#include "classify/leak_site.h"

#include "model/func_name.h"
#include "model/user_code.h"

namespace gorleak {

LeakSiteFinder::LeakSiteFinder(std::vector<std::string> modules) : modules_(std::move(modules)) {}

bool LeakSiteFinder::is_user_func(std::string_view func) const {
  return gorleak::is_user_func(func, modules_);
}

bool LeakSiteFinder::is_user_frame(const Catalog& catalog, StrId func, StrId file) const {
  return gorleak::is_user_frame(catalog, func, file, modules_);
}

const UserCode& LeakSiteFinder::user_code(const Catalog& catalog) const {
  return user_code_of(catalog, modules_);
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
  return find(catalog, stack, user_code(catalog));
}

LeakSite LeakSiteFinder::find(const Catalog& catalog, const Stack& stack, const UserCode& users) const {
  LeakSite out;
  const auto& frames = stack.frames;
  auto innermost_third_party = [&](size_t end) {
    for (size_t i = 0; i < end; ++i)
      if (users.is_third_party(catalog, frames[i].func)) {
        out.library = site_of(frames[i]);
        out.library_index = static_cast<int>(i);
        return;
      }
  };
  // 1. The innermost frame of the user's code, and the library it called.
  int user = users.find_user_frame(catalog, stack);
  if (user >= 0) {
    size_t u = static_cast<size_t>(user);
    out.site = site_of(frames[u]);
    out.frame_index = user;
    innermost_third_party(u);
    if (u > 0 && frames[u - 1].func != 0) {
      std::string_view callee = catalog.str(frames[u - 1].func);
      if (!is_runtime_func(callee)) out.library_entry_index = user - 1;
      if (out.library_index < 0 && is_stdlib_func(callee) && !is_runtime_func(callee)) {
        out.library = site_of(frames[u - 1]);
        out.library_index = user - 1;
        out.library_in_stdlib = true;
      }
    }
    return out;
  }
  innermost_third_party(frames.size());
  // 2. No user frame: the entry point, i.e. the outermost real frame (the
  //    function the goroutine was started with), skipping runtime.goexit.
  //    Closures of the created-by function (`go func() { errc <- fn() }()`
  //    in os/exec.(*Cmd).Start, Go 1.22+ `.gowrapN` wrappers) are only
  //    trampolines: the function they run, further up, names the job.
  //    debug=1 prints no created-by line; then the bottom closure's own
  //    function stands in for the creator. Generated and package-less
  //    frames are nowhere to fix anything: a test binary's main.main in
  //    _testmain.go, Go ≤1.4's C scheduler (`schedule`, `park0`).
  out.in_stdlib = true;
  std::string_view creator = catalog.str(stack.created_by.func);
  size_t bottom = frames.size();
  while (bottom > 0) {
    const Frame& fr = frames[bottom - 1];
    std::string_view f = catalog.str(fr.func);
    std::string_view file = catalog.str(fr.file);
    bool generated = file == "_testmain.go" ||
                     (file.size() > 13 && file.substr(file.size() - 13) == "/_testmain.go");
    if (!f.empty() && f != "runtime.goexit" && !generated &&
        (users.is_third_party(catalog, fr.func) || users.is_library(catalog, fr.func)))
      break;
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
