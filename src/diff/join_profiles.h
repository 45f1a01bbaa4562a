// Joining the other profiles a pprof server gives of one moment to its
// debug=2 dump, by the cross-form signature (diff/signature.h): stacks
// compared by their frames alone, since the count profiles print no states,
// ids or `created by` lines.
//
// - complete_counts: Go's pprof stops a debug=2 dump at 64 MiB, so its
//   counts are a lower bound; the debug=1 profile has every goroutine,
//   counted by stack. Each debug=1 record raises the debug=2 groups with its
//   signature to its count (the difference goes to the largest of them);
//   records no debug=2 group shows are added as groups of their own, with
//   the state debug=1 lets us infer.
// - mark_proven: the goroutineleak profile (Go 1.26+) lists the goroutines
//   the garbage collector proved can never run again. Each dump group with
//   its signature gets `leaked` set (at most its count), which the rules
//   read as the runtime's proof.
//
// Both profiles are taken moments after the dump, so counts may differ a
// little: a group never gets fewer goroutines, nor more proven ones than it
// has.
#pragma once

#include <cstdint>

#include "model/catalog.h"
#include "model/snapshot.h"

namespace gorleak {

struct JoinStats {
  uint64_t joined = 0;     // count-profile records matched to dump groups
  uint64_t added = 0;      // complete_counts: records added as new groups
  uint64_t goroutines = 0;  // complete_counts: goroutines added; mark_proven: marked leaked
};

// `cut` and `counts` must share `catalog`. Returns `cut` with complete
// counts: totals, states and group counts from `counts`, no longer truncated.
Snapshot complete_counts(const Snapshot& cut, const Snapshot& counts, const Catalog& catalog,
                         JoinStats* stats = nullptr);

// `dump` and `leak` must share `catalog`.
void mark_proven(Snapshot& dump, const Snapshot& leak, const Catalog& catalog,
                 JoinStats* stats = nullptr);

}  // namespace gorleak
