// `gorleak redact`: the same dump, in the same form, with what should not
// leave the building replaced by stable placeholders (placeholders.h):
//
//   - label values (keys stay: they are the program's own constants);
//   - argument values (pointers, integers) in function lines;
//   - source paths outside GOROOT and the module caches, made relative to
//     the module root: `<import path>/<file>` as `go build -trimpath`
//     prints them (`example.com/app/internal/x/x.go`), or, for a package
//     main whose module is unknown, `mod<hash of its directory>/main.go`;
//     --hash-paths replaces the whole path by a placeholder;
//   - a user name in a home directory of the paths that are kept
//     (`/home/alice/sdk/go1.22/src/…`);
//   - with --hash-funcs, the user's own functions: package path and every
//     identifier, keeping the shape (`(*T).m.func1`, `gowrap2`, `[...]`);
//     "the user's" is --module when given, otherwise every function outside
//     the standard library whose file is not in a module cache, vendor/ or
//     /usr/share/gocode (those name public code);
//   - whatever a --redact RE2 pattern matches, in any of the above, in log
//     prefixes and in lines that are not part of a goroutine's stack.
//
// It rewrites inside the spans DumpLineReader (dump_line.h) finds, so the
// parser reads the result as the same goroutines, states, groups and
// counts: goroutine ids, states, line numbers, PC offsets, frame order and
// every marker stay as they were.
//
// Two passes over the input: learn() sees every line first (which
// functions live in public paths, where module roots are), then rewrite()
// produces each line.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "redact/dump_line.h"
#include "redact/placeholders.h"

namespace re2 {
class RE2;
}

namespace gorleak {

struct RedactOptions {
  bool hash_paths = false;
  bool hash_funcs = false;
  std::vector<std::string> patterns;  // --redact RE (RE2)
  std::vector<std::string> modules;   // --module PREFIX: the user's code
  std::string key;                    // --key: seeds every placeholder
};

class Redactor {
 public:
  Redactor();
  ~Redactor();
  // False + "--redact: <RE2's message>" on a bad pattern.
  bool init(const RedactOptions& options, std::string* error);

  // Pass 1, every line in order.
  void learn(std::string_view line);
  // Pass 2, every line in order: the redacted line (without '\n') in *out.
  void rewrite(std::string_view line, std::string* out);

  const Placeholders& placeholders() const { return placeholders_; }

 private:
  struct Root {
    std::string dir;     // "/home/alice/app"
    std::string module;  // the import path prefix that lives there
  };
  bool public_path(std::string_view path) const;
  bool stdlib_path(std::string_view path, std::string_view func) const;
  bool user_func(std::string_view func) const;
  void learn_frame(std::string_view func, std::string_view path);
  std::string redact_func(std::string_view func);
  std::string redact_identifiers(std::string_view text);
  std::string redact_package(std::string_view package);
  std::string redact_path(std::string_view path, std::string_view func);
  std::string redact_home(std::string_view path);
  std::string redact_args(std::string_view args);
  std::string redact_labels(std::string_view labels);
  std::string redact_patterns(std::string_view text);

  RedactOptions options_;
  std::vector<std::unique_ptr<re2::RE2>> patterns_;
  Placeholders placeholders_;
  DumpLineReader learn_reader_, rewrite_reader_;
  std::set<std::string, std::less<>> public_packages_;
  std::vector<Root> roots_;
  // The function the next file line belongs to, per pass.
  std::string learn_func_, rewrite_func_;
};

}  // namespace gorleak
