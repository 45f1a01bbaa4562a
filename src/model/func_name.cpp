#include "model/func_name.h"

#include <algorithm>
#include <iterator>

namespace gorleak {

FuncParts split_func(std::string_view f) {
  FuncParts parts;
  // The package path ends at the first '.' after the last '/': dots inside
  // the last path element are escaped as %2e by the linker.
  size_t slash = f.rfind('/');
  // A '/' inside a receiver or generic bracket ("(*T[a/b.C])") is not part
  // of the package path; stop at the first '(' or '['.
  size_t open = f.find_first_of("([");
  if (slash != std::string_view::npos && open != std::string_view::npos && slash > open)
    slash = f.rfind('/', open);
  size_t dot = f.find('.', slash == std::string_view::npos ? 0 : slash + 1);
  if (dot == std::string_view::npos) {
    parts.name = f;
    return parts;
  }
  parts.package = f.substr(0, dot);
  std::string_view rest = f.substr(dot + 1);
  if (!rest.empty() && rest.front() == '(') {
    size_t close = rest.find(')');
    if (close != std::string_view::npos) {
      parts.receiver = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
      if (!rest.empty() && rest.front() == '.') rest.remove_prefix(1);
    }
  } else {
    // Value receiver: "main.Server.valueLoop" — a capitalised or lower-case
    // type name followed by a method. Closures ("main.func1") are not
    // receivers, so only treat X.Y as receiver.method when Y is not funcN.
    size_t d = rest.find('.');
    if (d != std::string_view::npos) {
      std::string_view head = rest.substr(0, d);
      std::string_view tail = rest.substr(d + 1);
      bool closure_tail = tail.rfind("func", 0) == 0 || tail.rfind("gowrap", 0) == 0 ||
                          tail.rfind("deferwrap", 0) == 0;
      bool exported_type = !head.empty() && head.front() >= 'A' && head.front() <= 'Z';
      if (exported_type && !closure_tail) {
        parts.receiver = head;
        rest = tail;
      }
    }
  }
  parts.name = rest;
  return parts;
}

bool is_stdlib_func(std::string_view f) {
  // The first path element decides: the Go distribution's top-level
  // packages (plus vendored golang.org/x under "vendor/"). A module path
  // without a dot ("myservice/handlers") is user code, so a list beats the
  // "no dot in the first element" shortcut. Sorted: reports ask this for
  // every frame of every group, so it is a binary search.
  static constexpr std::string_view kStd[] = {
      "archive",  "bufio",    "bytes",   "cmp",     "compress", "container", "context",
      "crypto",   "database", "debug",   "embed",   "encoding", "errors",    "expvar",
      "flag",     "fmt",      "gcWriteBarrier",     "go",       "hash",      "html",
      "image",    "index",    "internal", "io",     "iter",     "log",       "maps",
      "math",     "mime",     "net",     "os",      "panic",    "path",      "plugin",
      "reflect",  "regexp",   "runtime", "slices",  "sort",     "strconv",   "strings",
      "structs",  "sync",     "syscall", "testing", "text",     "time",      "type",
      "type:",    "unicode",  "unique",  "unsafe",  "vendor",   "weak"};
  static_assert(std::is_sorted(std::begin(kStd), std::end(kStd)));
  size_t end = 0;
  while (end < f.size() && f[end] != '/' && f[end] != '.' && f[end] != '(') ++end;
  return std::binary_search(std::begin(kStd), std::end(kStd), f.substr(0, end));
}

bool is_runtime_func(std::string_view f) {
  return f.rfind("runtime.", 0) == 0 || f.rfind("runtime/internal/", 0) == 0 ||
         f.rfind("internal/runtime/", 0) == 0 || f.rfind("panic(", 0) == 0 ||
         f == "panic";
}

}  // namespace gorleak
