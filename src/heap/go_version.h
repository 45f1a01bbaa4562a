// Which Go version wrote a heap profile. Neither form states it, so it is
// read from what the profile shows: GOROOT paths in file names
// (/usr/lib/go-1.22/src/…, /sdk/go1.21.0/src/…), and functions that exist
// only in some versions (Go 1.23 moved timer allocation into the runtime's
// time.newTimer; runtime/internal/… became internal/runtime/…). Rules whose
// verdict depends on the version (time.After before Go 1.23) read this.
#pragma once

#include "model/catalog.h"
#include "model/heap_profile.h"
#include "model/snapshot.h"

namespace gorleak {

// The range, with a one-phrase basis ("GOROOT path …/go-1.27/…"); unknown
// (both bounds 0) when nothing in the profile tells.
GoVersionRange infer_go_version(const HeapProfile& profile, const Catalog& catalog);

// "Go 1.22", "Go 1.23 or later", "Go 1.22 or earlier", "an unknown Go version".
std::string go_version_text(const GoVersionRange& v);

// Whether a profile of this range may come from a Go older than 1.`minor`.
inline bool may_be_before(const GoVersionRange& v, uint32_t minor) {
  return !v.known() || v.min_minor == 0 || v.min_minor < minor;
}

}  // namespace gorleak
