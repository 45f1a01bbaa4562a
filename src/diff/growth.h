// Growth, defined once. `trend`, `watch`, `history`, the verdicts of `diff`
// and `probe`, and growth-confirmed findings all ask this one question of a
// group's counts c1 … cn (one per dump, oldest first, n ≥ 2):
//
//   A group GROWS when
//     1. it never shrinks: c(i+1) ≥ c(i) at every step, and
//     2. it grows by at least K overall: the sum of its rises is ≥ K
//        (K = --min-growth, default 5).
//
// Why: a leaked goroutine never exits, so the goroutines of a leak never
// become fewer while the process lives; a group that loses members is, at
// least partly, work in flight (a pool that drains, requests that finish).
// K keeps a group that happened to gain a goroutine or two from counting.
//
// Restarts: a step into a dump taken after the process restarted (see
// detect_restarts) is left out of both conditions: there every group starts
// again from nothing. The rises of each lifetime add up, so a leak that a
// nightly restart keeps hiding still grows.
//
// Examples, K = 5: 0→74→74 grows; 0→20→40→60 grows; 0→73→0 does not (it
// shrinks: load, not a leak); 0→4→4 does not (+4 < 5); 10→20→19→30 does not
// (it shrank once); 0→10 | restart | 0→10 grows (+20).
#pragma once

#include <cstdint>
#include <vector>

#include "model/snapshot.h"

namespace gorleak {

struct GrowthRule {
  uint64_t min_growth = 5;  // K
};

struct Growth {
  bool grows = false;          // the definition above
  bool never_shrinks = false;  // condition 1 (restart steps left out)
  uint64_t rise = 0;           // sum of rises (restart steps left out)
  size_t rising_steps = 0;
};

// `restart_before[i]` (when given, one per count): dump i is the first of
// a new process.
Growth assess_growth(const std::vector<uint64_t>& counts, const GrowthRule& rule,
                     const std::vector<bool>* restart_before = nullptr);

// Per dump: did the service restart since the dump before? Goroutine ids
// are never reused within a process, and each pprof fetch is served by a
// new goroutine, so a fetched dump (debug=2, goroutineleak) whose highest
// id is far below the previous one's comes from a new process
// (model/snapshot.h). "Far": Go hands ids out from per-P caches, so a newer
// goroutine may have an id up to 16 × GOMAXPROCS lower; a restart counts
// only when the highest id fell by more than 4,096 and by half. A process
// restarted before it created some 4,000 goroutines is not seen. Dumps
// without ids (debug=1) and crash dumps (no serving goroutine) tell
// nothing: false.
std::vector<bool> detect_restarts(const std::vector<const Snapshot*>& dumps);

}  // namespace gorleak
