// Comparing heap profiles of one program: BASE NEW, or IDLE LOADED AFTER.
// Allocation sites are matched by the restart-proof signature of their
// stacks (diff/signature.h: function names and file:line, never addresses),
// so profiles from two runs of one build compare.
//
// What every Go memory-leak guide says, per site:
//   - inuse_* grew: memory allocated there is still held (retained): a leak
//     candidate;
//   - alloc_* grew a lot while inuse_* stayed flat: churn, garbage the GC
//     collects - costly, but not a leak.
// With three profiles a site that grew under load either stayed (AFTER
// still holds at least `stay_fraction` of the growth: a leak) or drained.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.h"
#include "model/heap_profile.h"

namespace gorleak {

struct HeapDiffThresholds {
  // A site retains memory when its inuse_space grew by at least this many
  // bytes and by this fraction of the newest profile's inuse total (the
  // larger wins): a few KiB of noise is not a leak.
  int64_t min_growth_bytes = int64_t{1} << 20;
  double min_growth_share = 0.01;
  // Three profiles: growth that AFTER still holds, as a fraction of the
  // growth under load, for the site to have stayed.
  double stay_fraction = 0.5;
};

enum class HeapSiteStatus : uint8_t { kNew, kGrown, kShrunk, kGone, kSame, kStayed, kDrained };
std::string_view heap_site_status_name(HeapSiteStatus s);  // "new", "grown", …

enum class HeapVerdict : uint8_t {
  kRetained,  // inuse grew (or stayed after load): a leak candidate
  kChurn,     // allocated a lot, holds no more than before
  kReleased,  // inuse fell, or drained after load
  kSteady,    // nothing worth saying
};
// "retained (leak candidate)", "churn (alloc_* large, inuse_* flat)", …
std::string_view heap_verdict_text(HeapVerdict v);
std::string_view heap_verdict_name(HeapVerdict v);  // "retained", "churn", "released", "steady"

struct HeapDiffRow {
  uint64_t signature = 0;
  StackId stack = 0;  // from the newest profile holding the site
  std::vector<HeapValues> values;  // per profile; zeros where absent
  HeapValues growth{};             // newest minus first
  HeapSiteStatus status = HeapSiteStatus::kSame;
  HeapVerdict verdict = HeapVerdict::kSteady;
  int user_frame = -1;
};

struct HeapDiff {
  std::vector<const HeapProfile*> profiles;
  std::vector<HeapValues> totals;  // per profile
  int64_t threshold = 0;           // the growth bytes that counted (see thresholds)
  std::vector<HeapDiffRow> rows;   // by inuse_space growth, largest first
};

// `profiles` share `catalog`; 2 or 3 of them, oldest first.
HeapDiff diff_heap_profiles(const std::vector<const HeapProfile*>& profiles, const Catalog& catalog,
                            const HeapDiffThresholds& thresholds = {},
                            const std::vector<std::string>& modules = {});

}  // namespace gorleak
