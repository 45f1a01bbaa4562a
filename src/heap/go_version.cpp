#include "heap/go_version.h"

#include <vector>

#include <fmt/format.h>
#include <re2/re2.h>

#include "model/func_name.h"

namespace gorleak {

namespace {

// A GOROOT in a path: go-1.22/ (Debian), go1.22.3/ (tarballs, sdk/), the
// toolchain module's -go1.22.3.linux-amd64/, Homebrew's go/1.22.3/libexec.
const RE2& goroot_pattern() {
  static const RE2 re(R"((?:^|/|-)go-?1\.(\d+)(?:\.\d+)?(?:rc\d+)?(?:/|\.[a-z]+-[a-z0-9]+/)|/go/1\.(\d+)(?:\.\d+)?/libexec/)");
  return re;
}

void narrow(GoVersionRange* r, uint32_t lo, uint32_t hi, std::string basis) {
  if (lo != 0 && (r->min_minor == 0 || lo > r->min_minor)) r->min_minor = lo;
  if (hi != 0 && (r->max_minor == 0 || hi < r->max_minor)) r->max_minor = hi;
  if (r->basis.empty()) r->basis = std::move(basis);
}

}  // namespace

GoVersionRange infer_go_version(const HeapProfile& profile, const Catalog& catalog) {
  GoVersionRange r;
  std::vector<bool> file_seen(catalog.strings.size(), false);  // each path is matched once
  std::vector<bool> stack_seen(catalog.stacks.size(), false);  // and each stack read once
  for (const HeapSample& s : profile.samples) {
    if (s.stack < stack_seen.size()) {
      if (stack_seen[s.stack]) continue;
      stack_seen[s.stack] = true;
    }
    const Stack& st = catalog.stacks.get(s.stack);
    for (size_t i = 0; i < st.frames.size(); ++i) {
      std::string_view func = catalog.str(st.frames[i].func);
      std::string_view file = catalog.str(st.frames[i].file);
      StrId fid = st.frames[i].file;
      bool fresh = fid < file_seen.size() && !file_seen[fid];
      if (fresh) file_seen[fid] = true;
      if (fresh && is_stdlib_func(func)) {
        std::string pa, pb;
        if (RE2::PartialMatch(re2::StringPiece(file.data(), file.size()), goroot_pattern(), &pa, &pb)) {
          uint32_t minor = static_cast<uint32_t>(std::stoul(pa.empty() ? pb : pa));
          if (minor > 0 && minor < 1000) {
            r = GoVersionRange{};
            size_t src = file.find("/src/");
            narrow(&r, minor, minor, fmt::format("GOROOT {}", file.substr(0, src)));
            return r;  // a path names the version outright
          }
        }
      }
      if (func == "time.newTimer" && file.ends_with("runtime/time.go")) {
        narrow(&r, 23, 0, "timers allocated by the runtime's time.newTimer (Go 1.23+)");
      } else if (i == 0 && (func == "time.NewTimer" || func == "time.NewTicker") &&
                 file.ends_with("time/sleep.go")) {
        narrow(&r, 0, 22, fmt::format("timers allocated by {} itself (Go 1.22 or earlier)", func));
      } else if (func.starts_with("runtime/internal/")) {
        narrow(&r, 0, 22, "runtime/internal/ packages (Go 1.22 or earlier)");
      } else if (func.starts_with("internal/runtime/maps.")) {
        narrow(&r, 24, 0, "internal/runtime/maps (Go 1.24+)");
      } else if (func.starts_with("internal/runtime/")) {
        narrow(&r, 23, 0, "internal/runtime/ packages (Go 1.23+)");
      }
    }
  }
  return r;
}

std::string go_version_text(const GoVersionRange& v) {
  if (!v.known()) return "an unknown Go version";
  if (v.min_minor != 0 && v.min_minor == v.max_minor) return fmt::format("Go 1.{}", v.min_minor);
  if (v.min_minor != 0 && v.max_minor != 0)
    return fmt::format("Go 1.{} to 1.{}", v.min_minor, v.max_minor);
  if (v.min_minor != 0) return fmt::format("Go 1.{} or later", v.min_minor);
  return fmt::format("Go 1.{} or earlier", v.max_minor);
}

}  // namespace gorleak
