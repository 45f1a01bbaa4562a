// Which Go version wrote a heap profile. Neither form states it, so it is
// read from what the profile shows, with the clues the dump parser uses
// (parse/go_version.h: GOROOT paths in file names, function names only some
// versions have), plus what only a heap profile shows: the runtime side of
// the time package (Go 1.23 allocates timers in the runtime's
// time.newTimer; until 1.22 the runtime's time.startTimer grows the old
// per-P timer heap) and the runtime's internal packages (runtime/internal/…
// until Go 1.22, internal/runtime/… from 1.23). Rules whose verdict depends
// on the version (time.After before Go 1.23, `fixed_in_go`) read this.
#pragma once

#include <string>

#include "model/catalog.h"
#include "model/heap_profile.h"
#include "model/snapshot.h"

namespace gorleak {

// The range, with a one-phrase basis; not known() when nothing tells.
GoVersionRange infer_heap_go_version(const HeapProfile& profile, const Catalog& catalog);

// "Go 1.22", "Go ≥1.23", "an unknown Go version", for reports.
std::string go_version_phrase(const GoVersionRange& v);

}  // namespace gorleak
