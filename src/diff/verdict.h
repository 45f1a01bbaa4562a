// What a comparison of dumps concludes, in one place for every command that
// compares (diff, trend, probe, watch, history) and every format: the rows
// that are likely leaks, each with the findings that cover it.
//
//   kLoad   (diff or probe of IDLE LOADED AFTER): rows that grew under load
//           and stayed after it (DiffStatus::kStayed, snapshot_diff.h).
//   kGrowth (two dumps, trend, watch, history): rows that grow
//           (diff/growth.h).
//
// Rows of runtime goroutines (GC workers, finalizers) are never leaks:
// their numbers follow GOMAXPROCS and the dump form, not the program.
#pragma once

#include <cstdint>
#include <vector>

#include "diff/snapshot_diff.h"
#include "model/finding.h"

namespace gorleak {

enum class LeakBasis : uint8_t { kLoad, kGrowth };

// kLoad for three or more dumps, kGrowth for two.
inline LeakBasis diff_leak_basis(const SnapshotDiff& d) {
  return d.three_way() ? LeakBasis::kLoad : LeakBasis::kGrowth;
}

struct LikelyLeak {
  uint32_t row = 0;               // index into SnapshotDiff::rows
  std::vector<uint32_t> findings;  // indices into the focus dump's findings
};

// In row order (largest change first). `findings` are the focus dump's.
std::vector<LikelyLeak> likely_leaks(const SnapshotDiff& d, LeakBasis basis, size_t focus,
                                     const std::vector<Finding>& findings);

}  // namespace gorleak
