// Records of one event - a crash, one goroutine's traceback - repeat in the
// logs of a crash-looping service: the same panic thousands of times. Each
// would be a snapshot of its own, held until the report and printed in full.
// RepeatFold folds a record into the first identical one seen before it, so
// memory stays bounded by distinct records and the report says "repeated
// 19,999 more times" once. Snapshots of a process's state (debug=1, debug=2
// dumps of many goroutines) are a series and are never folded.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/snapshot.h"

namespace gorleak {

// Whether `s` records one event rather than a process's state: a crash
// (panic, fatal error, SIGQUIT, test timeout) or one goroutine's traceback.
bool is_event_record(const Snapshot& s);

// Whether `b` is the same event as `a`: same form, cause and report kind,
// and the same groups (stack, state, counts) and spawn sites. Sample ids,
// argument values, waits, goroutine ids and where they sit in the input may
// differ; so may the Go version clues, as long as they agree.
bool same_event(const Snapshot& a, const Snapshot& b);

// Folds `from` into `into`: the repeat count, the line of the last repeat,
// skipped lines, wait ranges and the Go version clues (intersected).
void fold_repeat(Snapshot& into, const Snapshot& from);

class RepeatFold {
 public:
  // True when `s` was folded into an earlier snapshot of `out` (the caller
  // drops it); false when it is new and should be appended.
  bool fold(const Snapshot& s, std::vector<Snapshot>& out);

 private:
  // Event hash -> indexes into `out` of the distinct records with it.
  std::unordered_map<uint64_t, std::vector<size_t>> seen_;
};

}  // namespace gorleak
