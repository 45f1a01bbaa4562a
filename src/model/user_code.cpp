#include "model/user_code.h"

#include <algorithm>

#include "model/func_name.h"

namespace gorleak {

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// "example.com/app" owns "example.com/app.F" and "example.com/app/x.F", not
// "example.com/application.F". `path` is a function or a package path.
bool in_module(std::string_view path, std::string_view module) {
  while (!module.empty() && (module.back() == '/' || module.back() == '.')) module.remove_suffix(1);
  if (module.empty() || path.size() < module.size()) return false;
  if (path.compare(0, module.size(), module) != 0) return false;
  if (path.size() == module.size()) return true;
  char next = path[module.size()];
  return next == '.' || next == '/';
}

bool in_any(std::string_view path, const std::vector<std::string>& modules) {
  for (const std::string& m : modules)
    if (in_module(path, m)) return true;
  return false;
}

// The package a function belongs to; empty for a symbol without one
// (`stopm`, Go ≤1.4's C runtime `runtime·park`, cgo exports).
std::string_view package_of(std::string_view func) {
  std::string_view pkg = split_func(func).package;
  if (pkg.find("\xc2\xb7") != std::string_view::npos) return {};  // "·"
  return pkg;
}

std::string_view dir_of(std::string_view file) {
  size_t slash = file.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : file.substr(0, slash);
}

// The module cache: `…/pkg/mod/…`, or a path element `name@vX…` (what
// -trimpath prints for a dependency: `github.com/lib/pq@v1.10.9/conn.go`).
bool in_module_cache(std::string_view file) {
  if (file.find("/pkg/mod/") != std::string_view::npos) return true;
  for (size_t at = file.find("@v"); at != std::string_view::npos; at = file.find("@v", at + 2))
    if (at + 2 < file.size() && file[at + 2] >= '0' && file[at + 2] <= '9') return true;
  return false;
}

bool vendored(std::string_view package, std::string_view file) {
  return package.find("/vendor/") != std::string_view::npos || starts_with(package, "vendor/") ||
         file.find("/vendor/") != std::string_view::npos || starts_with(file, "vendor/");
}

// The test binary's generated main package.
bool is_testmain(std::string_view file) {
  return file == "_testmain.go" || ends_with(file, "/_testmain.go");
}

// A file in GOPATH layout spells its whole import path: `ROOT/PKG/file.go`.
// Returns true with the root ("" for a -trimpath path that is the import
// path itself); false for any other layout (a module checked out anywhere).
bool gopath_root(std::string_view package, std::string_view dir, std::string_view* root) {
  if (package.empty()) return false;
  if (dir == package) {
    *root = {};
    return true;
  }
  if (dir.size() > package.size() && ends_with(dir, package) &&
      dir[dir.size() - package.size() - 1] == '/') {
    *root = dir.substr(0, dir.size() - package.size() - 1);
    return true;
  }
  return false;
}

bool is_relative(std::string_view path) {
  if (path.empty() || path[0] == '/' || path[0] == '\\') return false;
  return !(path.size() > 2 && path[1] == ':' && (path[2] == '/' || path[2] == '\\'));
}

// The repository an import path lives in: three elements on hosts that
// put an owner first (github.com/owner/repo, golang.org/x/net), two on
// other hosts (google.golang.org/grpc, go.uber.org/zap), the first
// element of a path without a host (myservice/handlers).
std::string repo_root(std::string_view path) {
  static constexpr std::string_view kOwnerHosts[] = {
      "github.com", "gitlab.com", "bitbucket.org", "gitee.com", "codeberg.org",
      "golang.org", "git.sr.ht", "launchpad.net"};
  size_t first = path.find('/');
  std::string_view host = path.substr(0, first);
  size_t elements = 1;
  if (host.find('.') != std::string_view::npos)
    elements = std::find(std::begin(kOwnerHosts), std::end(kOwnerHosts), host) !=
                       std::end(kOwnerHosts)
                   ? 3
                   : 2;
  size_t end = 0;
  for (size_t i = 0; i < elements; ++i) {
    size_t slash = path.find('/', end == 0 ? 0 : end + 1);
    if (slash == std::string_view::npos) return std::string(path);
    end = slash;
  }
  return std::string(path.substr(0, end));
}

void add_unique(std::vector<std::string>* v, std::string s) {
  if (!s.empty() && std::find(v->begin(), v->end(), s) == v->end()) v->push_back(std::move(s));
}

// Every (function, file) pair the catalog's stacks hold, at least once
// (what `visit` learns is a set, so a repeat is harmless). A function
// nearly always has one file: the file last seen with each function skips
// the repeats without hashing.
template <typename F>
void for_each_frame(const Catalog& catalog, F&& visit) {
  constexpr StrId kNone = ~StrId{0};
  std::vector<StrId> last_file(catalog.strings.size(), kNone);
  auto one = [&](StrId func, StrId file) {
    if (func == 0 || func >= last_file.size() || last_file[func] == file) return;
    last_file[func] = file;
    visit(catalog.str(func), file == 0 ? std::string_view() : catalog.str(file));
  };
  for (size_t id = 0; id < catalog.stacks.size(); ++id) {
    const Stack& s = catalog.stacks.get(static_cast<StackId>(id));
    for (const Frame& f : s.frames) one(f.func, f.file);
    if (s.created_by.present()) one(s.created_by.func, s.created_by.file);
  }
}

}  // namespace

UserCode UserCode::infer(const Catalog& catalog, std::vector<std::string> modules) {
  UserCode u;
  u.stacks_seen_ = catalog.stacks.size();
  u.strings_seen_ = catalog.strings.size();
  u.from_options_ = !modules.empty();
  std::vector<std::string> test_packages;
  // --module: where each named module's code sits, to place main.
  std::vector<std::string> module_dirs;
  std::vector<std::pair<std::string_view, std::string_view>> mains;  // (func, file)
  for_each_frame(catalog, [&](std::string_view func, std::string_view file) {
    bool library = is_stdlib_func(func) || is_runtime_func(func);
    std::string_view dir = dir_of(file);
    if (library && !u.from_options_) {
      if (!dir.empty()) u.package_dirs_.insert(dir);
      return;
    }
    std::string_view pkg = package_of(func);
    if (pkg.empty()) return;
    if (pkg != "main" && !ends_with(pkg, "_test") && !dir.empty()) u.package_dirs_.insert(dir);
    if (u.from_options_ && pkg != "main" && !dir.empty()) {
      for (const std::string& m : modules) {
        if (!in_module(pkg, m)) continue;
        // PKG = MODULE/REL lives in ROOT/REL: ROOT is the module's directory.
        std::string_view mod = m;
        while (!mod.empty() && (mod.back() == '/' || mod.back() == '.')) mod.remove_suffix(1);
        std::string_view rel = pkg.substr(std::min(pkg.size(), mod.size()));
        if (ends_with(dir, rel)) add_unique(&module_dirs, std::string(dir.substr(0, dir.size() - rel.size())));
      }
    }
    if (library || in_module_cache(file) || vendored(pkg, file)) return;
    if (pkg == "main") {
      if (!is_testmain(file)) mains.emplace_back(func, file);
      return;
    }
    if (ends_with(file, "_test.go")) {
      u.anchored_ = true;
      std::string_view p = ends_with(pkg, "_test") ? pkg.substr(0, pkg.size() - 5) : pkg;
      add_unique(&test_packages, std::string(p));
    }
    std::string_view root;
    if (gopath_root(pkg, dir, &root) && !root.empty())
      add_unique(&u.gopath_roots_, std::string(root));
  });

  // Main's own files: a directory holds one package, so a main function
  // whose file sits with another package's files is that package's code
  // inlined into main (`main.instrument.InstrumentHandlerInFlight.func1` in
  // promhttp's instrument_server.go).
  for (auto [func, file] : mains) {
    if (u.foreign_file(file)) continue;
    u.anchored_ = true;
    if (!file.empty()) add_unique(&u.main_dirs_, std::string(dir_of(file)));
  }

  // The main package's import path, where its files spell it: a -trimpath
  // path, or a GOPATH tree whose root other packages showed.
  std::vector<std::string> main_imports;
  for (const std::string& d : u.main_dirs_) {
    if (is_relative(d)) {
      add_unique(&main_imports, d);
      continue;
    }
    for (const std::string& root : u.gopath_roots_)
      if (d.size() > root.size() + 1 && starts_with(d, root) && d[root.size()] == '/')
        add_unique(&main_imports, d.substr(root.size() + 1));
  }

  if (u.from_options_) {
    u.modules_ = std::move(modules);
    // Main is one of the named modules when its files say so; it is not
    // when they lie outside every directory the modules' code was seen
    // in; otherwise nothing places it elsewhere.
    if (!u.main_dirs_.empty()) {
      if (!main_imports.empty()) {
        u.main_in_modules_ = std::any_of(main_imports.begin(), main_imports.end(),
                                         [&](const std::string& i) { return in_any(i, u.modules_); });
      } else if (!module_dirs.empty()) {
        u.main_in_modules_ = std::any_of(
            u.main_dirs_.begin(), u.main_dirs_.end(), [&](const std::string& d) {
              return std::any_of(module_dirs.begin(), module_dirs.end(), [&](const std::string& r) {
                return r.empty() ? is_relative(d)
                                 : d == r || (starts_with(d, r) && d.size() > r.size() &&
                                              (r.back() == '/' || d[r.size()] == '/'));
              });
            });
      }
    }
    return u;
  }
  for (const std::string& i : main_imports) add_unique(&u.modules_, repo_root(i));
  for (const std::string& p : test_packages) add_unique(&u.modules_, repo_root(p));
  return u;
}

bool UserCode::is_user(std::string_view func, std::string_view file) const {
  std::string_view pkg = package_of(func);
  if (pkg.empty()) return false;
  if (from_options_) {
    if (in_any(pkg, modules_)) return true;
    return pkg == "main" && !is_testmain(file) && !foreign_file(file) && main_in_modules_;
  }
  if (is_stdlib_func(func) || is_runtime_func(func)) return false;
  if (in_module_cache(file) || is_testmain(file) || vendored(pkg, file)) return false;
  if (pkg == "main") return !foreign_file(file);
  if (in_any(pkg, modules_)) return true;
  if (file.empty()) return !anchored_;
  if (ends_with(file, "_test.go")) return true;
  // Another repository's GOPATH tree, unless nothing anchors the user's.
  std::string_view root;
  if (gopath_root(pkg, dir_of(file), &root)) return !anchored_;
  // A module laid out anywhere but the module cache and vendor/.
  return true;
}

bool UserCode::foreign_file(std::string_view file) const {
  return !file.empty() && package_dirs_.count(dir_of(file)) > 0;
}

bool UserCode::is_user(const Catalog& catalog, StrId func, StrId file) const {
  if (func == 0) return false;
  // The function alone settles most frames (the standard library and
  // runtime never are the user's): only the rest look at their file.
  FuncMemo& memo = memo_of(catalog, func);
  if (memo.never == kUnchecked) {
    std::string_view f = catalog.str(func);
    std::string_view pkg = package_of(f);
    memo.never = pkg.empty() || (from_options_ ? pkg != "main" && !in_any(pkg, modules_)
                                               : is_stdlib_func(f) || is_runtime_func(f) ||
                                                     vendored(pkg, {}));
  }
  if (memo.never) return false;
  if (memo.last_verdict >= 0 && memo.last_file == file) return memo.last_verdict != 0;
  auto [it, fresh] = verdicts_.emplace(uint64_t{func} << 32 | file, false);
  if (fresh)
    it->second = is_user(catalog.str(func), file == 0 ? std::string_view() : catalog.str(file));
  memo.last_file = file;
  memo.last_verdict = static_cast<int8_t>(it->second);
  return it->second;
}

UserCode::FuncMemo& UserCode::memo_of(const Catalog& catalog, StrId func) const {
  if (func >= by_func_.size()) by_func_.resize(std::max<size_t>(func + 1, catalog.strings.size()));
  return by_func_[func];
}

bool UserCode::is_third_party(const Catalog& catalog, StrId func) const {
  if (func == 0) return false;
  FuncMemo& memo = memo_of(catalog, func);
  if (memo.third_party == kUnchecked) memo.third_party = is_third_party_func(catalog.str(func));
  return memo.third_party != 0;
}

bool UserCode::is_library(const Catalog& catalog, StrId func) const {
  FuncMemo& memo = memo_of(catalog, func);
  if (memo.library == kUnchecked) memo.library = is_library_func(catalog.str(func));
  return memo.library != 0;
}

int UserCode::find_user_frame(const Catalog& catalog, const Stack& stack) const {
  for (size_t i = 0; i < stack.frames.size(); ++i)
    if (is_user(catalog, stack.frames[i].func, stack.frames[i].file)) return static_cast<int>(i);
  return -1;
}

const UserCode& user_code_of(const Catalog& catalog, const std::vector<std::string>& modules) {
  const UserCode* cached = catalog.user_code.get();
  bool fresh = cached != nullptr && cached->stacks_seen() == catalog.stacks.size() &&
               cached->strings_seen() == catalog.strings.size() &&
               catalog.user_code_modules == modules;
  if (!fresh) {
    catalog.user_code = std::make_shared<const UserCode>(UserCode::infer(catalog, modules));
    catalog.user_code_modules = modules;
  }
  return *catalog.user_code;
}

int find_user_frame(const Stack& stack, const Catalog& catalog,
                    const std::vector<std::string>& modules) {
  return user_code_of(catalog, modules).find_user_frame(catalog, stack);
}

bool is_user_frame(const Catalog& catalog, StrId func, StrId file,
                   const std::vector<std::string>& modules) {
  return user_code_of(catalog, modules).is_user(catalog, func, file);
}

bool is_library_func(std::string_view func) {
  return is_stdlib_func(func) || is_runtime_func(func);
}

bool is_third_party_func(std::string_view func) {
  return !package_of(func).empty() && !is_library_func(func);
}

bool is_user_func(std::string_view func, const std::vector<std::string>& modules) {
  // Asked for every group's creator by the classifier: no full split of
  // the name, only what tells a package and a vendored path.
  if (!modules.empty()) return in_any(func, modules);
  if (is_library_func(func)) return false;
  // One pass over the path part of the name (up to a receiver or generic
  // bracket): a `vendor` element means a vendored library, and a package
  // needs a '.' after the last '/' (`stopm`, `runtime·park` have none).
  size_t element = 0;
  bool dot = false;
  for (size_t i = 0; i < func.size() && func[i] != '(' && func[i] != '['; ++i) {
    if (func[i] == '/') {
      if (func.compare(element, i - element, "vendor") == 0) return false;
      element = i + 1;
      dot = false;
    } else if (func[i] == '.') {
      dot = true;
    }
  }
  return dot;
}

}  // namespace gorleak
