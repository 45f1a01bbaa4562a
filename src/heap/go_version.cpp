#include "heap/go_version.h"

#include <vector>

#include "parse/go_version.h"

namespace gorleak {

namespace {

// A heap clue: a bound and the phrase that says why.
void narrow(GoVersionRange* r, uint32_t lo, uint32_t hi, std::string_view why) {
  bool moved = false;
  if (lo != 0 && lo > r->min_minor) {
    r->min_minor = lo;
    moved = true;
  }
  if (hi != 0 && (r->max_minor == 0 || hi < r->max_minor)) {
    r->max_minor = hi;
    moved = true;
  }
  if (moved) r->basis = r->basis.empty() ? std::string(why) : r->basis + "; " + std::string(why);
}

}  // namespace

GoVersionRange infer_heap_go_version(const HeapProfile& profile, const Catalog& catalog) {
  VersionEvidence e;
  bool timers_in_runtime = false, timers_in_time = false, runtime_internal = false,
       internal_runtime = false;
  // Each distinct stack once, each distinct name once.
  std::vector<bool> stack_seen(catalog.stacks.size(), false);
  std::vector<bool> string_seen(catalog.strings.size(), false);
  auto fresh = [&](StrId id) {
    if (id >= string_seen.size() || string_seen[id]) return false;
    string_seen[id] = true;
    return true;
  };
  for (const HeapSample& s : profile.samples) {
    if (s.stack < stack_seen.size()) {
      if (stack_seen[s.stack]) continue;
      stack_seen[s.stack] = true;
    }
    const Stack& st = catalog.stacks.get(s.stack);
    for (size_t i = 0; i < st.frames.size(); ++i) {
      const Frame& f = st.frames[i];
      std::string_view func = catalog.str(f.func);
      std::string_view file = catalog.str(f.file);
      if (fresh(f.func)) {
        e.clues |= function_clues(func);
        // The runtime side of the time package, linknamed into it: new
        // timers from 1.23, the old timer heap's startTimer until 1.22.
        if (func == "time.newTimer" && file.ends_with("runtime/time.go")) timers_in_runtime = true;
        if (func == "time.startTimer" && file.ends_with("runtime/time.go")) timers_in_time = true;
        if (func.starts_with("runtime/internal/")) runtime_internal = true;
        if (func.starts_with("internal/runtime/")) internal_runtime = true;
      }
      if (fresh(f.file)) add_file_facts(file_version_facts(file), &e);
    }
  }
  GoVersionRange r = infer_go_version(e);
  if (timers_in_runtime) narrow(&r, 23, 0, "timers allocated by the runtime's time.newTimer (1.23+)");
  if (timers_in_time) narrow(&r, 0, 22, "the runtime's time.startTimer (≤1.22)");
  if (internal_runtime) narrow(&r, 23, 0, "internal/runtime packages (1.23+)");
  if (runtime_internal) narrow(&r, 0, 22, "runtime/internal packages (≤1.22)");
  return r;
}

std::string go_version_phrase(const GoVersionRange& v) {
  return v.known() ? "Go " + go_version_text(v) : "an unknown Go version";
}

}  // namespace gorleak
