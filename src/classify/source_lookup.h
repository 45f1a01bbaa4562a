// Finding the Go source files a dump names, under the checkouts given with
// --source-root. A dump path was written on the build machine
// (/build/app/internal/x/y.go, or example.com/app/internal/x/y.go with
// -trimpath), so it is matched by its longest trailing part that exists under
// a root: DIR/app/internal/x/y.go, then DIR/internal/x/y.go, and so on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gorleak {

struct SourceWindow {
  std::string path;  // the file found on disk
  uint32_t first_line = 0;  // line number of lines[0]
  std::vector<std::string_view> lines;  // valid while the SourceLookup lives
};

class SourceLookup {
 public:
  // `guarded`: the roots were not named by the user but guessed (the
  // current directory and its git top level, see default_source_roots()):
  // a file found there counts only when it declares the frame's function
  // (declares() below), so a dump of another program never reads the
  // user's unrelated main.go.
  explicit SourceLookup(std::vector<std::string> roots = {}, bool guarded = false);
  bool enabled() const { return !roots_.empty(); }
  bool guarded() const { return guarded_; }
  const std::vector<std::string>& roots() const { return roots_; }

  // Whether the file for `dump_path` declares the function `func` (a Go
  // symbol as dumps print it: main.(*Server).handle.func1 declares
  // `handle`). True when not guarded.
  bool declares(std::string_view dump_path, std::string_view func);

  // The file on disk for a dump path, "" when not found.
  std::string resolve(std::string_view dump_path);
  // Lines [line - before, line + after] of the file (1-based `line`), clipped
  // to the file. False when the file is not found or `line` is past its end.
  bool window(std::string_view dump_path, uint32_t line, uint32_t before, uint32_t after,
              SourceWindow* out);

 private:
  struct File {
    std::string path;  // "" when not found
    std::string text;
    std::vector<std::string_view> lines;
    bool loaded = false;
  };
  File& file(std::string_view dump_path);

  std::vector<std::string> roots_;
  bool guarded_ = false;
  std::unordered_map<std::string, std::unique_ptr<File>> cache_;
};

// The roots to look in when none are given: the current directory and the
// top level of the git checkout it is in (found by walking up to `.git`).
std::vector<std::string> default_source_roots();

// The name a Go symbol is declared under: main.(*Server).handle.func1 ->
// "handle", pkg.Run[...] -> "Run". "" for names with no declaration.
std::string declared_name(std::string_view func);

}  // namespace gorleak
