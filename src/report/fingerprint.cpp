#include "report/fingerprint.h"

#include <algorithm>

#include <fmt/format.h>

#include "diff/signature.h"

namespace gorleak {

namespace {

// The function signature of `stack` from the frame of `site_func` outwards.
uint64_t outward_signature(const Stack& stack, const Catalog& catalog, StrId site_func) {
  size_t from = 0;
  if (site_func != 0) {
    for (size_t i = 0; i < stack.frames.size(); ++i) {
      if (stack.frames[i].func == site_func) {
        from = i;
        break;
      }
    }
  }
  return function_signature(catalog, stack.frames.data() + from, stack.frames.size() - from,
                            stack.created_by.present() ? stack.created_by.func : 0);
}

}  // namespace

uint64_t finding_fingerprint_value(const Finding& f, const Snapshot& snapshot,
                                   const Catalog& catalog) {
  uint64_t h = hash_bytes(f.rule, 0x9e3779b97f4a7c15ULL);
  h = hash_mix(h, hash_bytes(f.site.func ? catalog.str(f.site.func) : std::string_view()));
  uint64_t stack = 0;
  bool any = false;
  for (uint32_t gi : f.groups) {
    if (gi >= snapshot.groups.size()) continue;
    uint64_t s = outward_signature(catalog.stacks.get(snapshot.groups[gi].stack), catalog,
                                   f.site.func);
    stack = any ? std::min(stack, s) : s;
    any = true;
  }
  return hash_mix(h, stack);
}

std::string finding_fingerprint(const Finding& f, const Snapshot& snapshot,
                                const Catalog& catalog) {
  return fmt::format("{:016x}", finding_fingerprint_value(f, snapshot, catalog));
}

}  // namespace gorleak
