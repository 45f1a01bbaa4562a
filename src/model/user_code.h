// "Where in the user's code": which frames belong to the program under
// investigation rather than to the Go standard library, the runtime or the
// third-party libraries it calls. Reports highlight the innermost such
// frame; it is the leak site a finding names (classify/leak_site.h).
//
// Without --module, the user's code is inferred from the dump itself
// (UserCode::infer, once per catalog):
//   - the `main` package, except a test binary's generated `_testmain.go`
//     and another package's code inlined into main (a main function whose
//     file sits in a directory of another package: one package per
//     directory);
//   - the package of a test (`P.TestX`, `P.BenchmarkX`, `P.FuzzX`,
//     `P.ExampleX` in a `_test.go` file);
//   - the repository those live in: its import-path prefix (github.com/a/b,
//     or the first element of a dotless path), learnt from -trimpath paths
//     and from GOPATH trees (`…/src/IMPORT/PATH/file.go`) that hold `main`;
//   - code in a module layout outside the module cache and vendor/ (the
//     main module, or a module it replaces with a local directory).
// Never the user's: the standard library and runtime; code in the module
// cache (`…/pkg/mod/…@vX.Y.Z/…`, or any `@vX…` path element, as -trimpath
// prints it), in a `vendor/` tree or with `/vendor/` in its import path;
// GOPATH trees of other repositories (`/usr/share/gocode/src/google.golang.
// org/grpc/…` next to a main package elsewhere); `_testmain.go`; symbols
// without a package (`stopm`, `runtime·park` of Go ≤1.4's C runtime, cgo
// exports). A dump with neither a main package nor a test shows nothing to
// tell a GOPATH library from the user's own tree: such frames count as the
// user's (a library in the module cache or vendor/ still does not).
//
// With --module PREFIX…, the user's code is exactly those modules (any
// package, even a standard-library one, that the prefixes name), and the
// `main` package when its files lie inside one of them or nothing in the
// dump places it elsewhere. No other frame stands in when none matches.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/catalog.h"
#include "model/stack.h"

namespace gorleak {

class UserCode {
 public:
  // Learns the user's code from every stack in `catalog`. `modules`: the
  // --module prefixes; when given they name the user's packages alone.
  // The result refers to the catalog's strings: keep the catalog alive.
  static UserCode infer(const Catalog& catalog, std::vector<std::string> modules = {});

  // Whether a frame, its function and the file it is in, is the user's.
  // `file` may be empty (unknown): then the function name decides.
  bool is_user(std::string_view func, std::string_view file) const;
  bool is_user(const Catalog& catalog, StrId func, StrId file) const;
  // Index of the innermost user frame of `stack`, or -1.
  int find_user_frame(const Catalog& catalog, const Stack& stack) const;
  // is_third_party_func() and is_library_func() of a function id, worked
  // out once per function.
  bool is_third_party(const Catalog& catalog, StrId func) const;
  bool is_library(const Catalog& catalog, StrId func) const;

  // What was inferred, for tests and for reports that explain themselves.
  // The import-path prefixes of the user's packages beyond `main`
  // (without --module: repositories of the main and test packages).
  const std::vector<std::string>& modules() const { return modules_; }
  // Directories of the main package's files (not `_testmain.go`).
  const std::vector<std::string>& main_dirs() const { return main_dirs_; }
  // Whether the dump shows a main or test package to anchor the inference.
  bool anchored() const { return anchored_; }
  bool from_options() const { return from_options_; }

  // The catalog size this was inferred from (see user_code_of).
  size_t stacks_seen() const { return stacks_seen_; }
  size_t strings_seen() const { return strings_seen_; }

 private:
  std::vector<std::string> modules_;
  std::vector<std::string> main_dirs_;
  std::vector<std::string> gopath_roots_;  // "…/src" of GOPATH-layout frames ("" for -trimpath)
  // Directories holding the files of packages other than main (views into
  // the catalog's strings: valid while the catalog lives).
  std::unordered_set<std::string_view> package_dirs_;
  // A file in one of package_dirs_: not main's own, whatever the function.
  bool foreign_file(std::string_view file) const;
  bool anchored_ = false;
  bool from_options_ = false;
  bool main_in_modules_ = true;  // with --module: whether main is one of them
  size_t stacks_seen_ = 0;
  size_t strings_seen_ = 0;
  // is_user() of (function, file) id pairs already asked: reports ask for
  // every frame of every stack, and the answer is a few string searches.
  mutable std::unordered_map<uint64_t, bool> verdicts_;
  // What is known by function id:
  // - whether the function can never be the user's, whatever its file;
  // - the file last asked with it, and the answer. A function nearly always
  //   comes with one file, so most asks end here, without a lookup in
  //   verdicts_ (a cache miss per frame on 300k distinct stacks);
  // - is_third_party_func() and is_library_func() of it, which the leak
  //   site asks of every frame below the user's, or of all frames when
  //   none is the user's.
  static constexpr uint8_t kUnchecked = 2;
  struct FuncMemo {
    uint8_t never = kUnchecked;
    int8_t last_verdict = -1;  // -1: no file asked yet
    uint8_t third_party = kUnchecked;
    uint8_t library = kUnchecked;
    StrId last_file = 0;
  };
  FuncMemo& memo_of(const Catalog& catalog, StrId func) const;
  mutable std::vector<FuncMemo> by_func_;
};

// The UserCode of `catalog` for `modules`, inferred on first use and again
// once the catalog has grown (another dump loaded into it), kept in the
// catalog. For stages that ask for every stack (reports, the classifier).
// Not for concurrent use on one catalog: every stage after loading runs on
// one thread.
const UserCode& user_code_of(const Catalog& catalog, const std::vector<std::string>& modules);

// Shorthands over user_code_of(catalog, modules).
int find_user_frame(const Stack& stack, const Catalog& catalog,
                    const std::vector<std::string>& modules);
bool is_user_frame(const Catalog& catalog, StrId func, StrId file,
                   const std::vector<std::string>& modules);

// By the function name alone, where no file is known: with `modules`, its
// package path starts with one of them (at a path boundary); without, it
// has a package that is neither standard library, runtime nor vendored.
bool is_user_func(std::string_view func, const std::vector<std::string>& modules);

// Dimmed in colour output: standard library and runtime frames.
bool is_library_func(std::string_view func);

// Third-party code: has a package, and is neither standard library nor
// runtime. Whether it is the user's is UserCode's question.
bool is_third_party_func(std::string_view func);

}  // namespace gorleak
