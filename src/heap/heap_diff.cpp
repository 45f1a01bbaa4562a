#include "heap/heap_diff.h"

#include <algorithm>
#include <unordered_map>

#include "diff/signature.h"
#include "model/user_code.h"

namespace gorleak {

namespace {

constexpr size_t kInuseSpace = static_cast<size_t>(HeapValue::kInuseSpace);
constexpr size_t kAllocSpace = static_cast<size_t>(HeapValue::kAllocSpace);

int64_t sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

}  // namespace

std::string_view heap_site_status_name(HeapSiteStatus s) {
  switch (s) {
    case HeapSiteStatus::kNew: return "new";
    case HeapSiteStatus::kGrown: return "grown";
    case HeapSiteStatus::kShrunk: return "shrunk";
    case HeapSiteStatus::kGone: return "gone";
    case HeapSiteStatus::kSame: return "same";
    case HeapSiteStatus::kStayed: return "stayed";
    case HeapSiteStatus::kDrained: return "drained";
  }
  return "same";
}

std::string_view heap_verdict_name(HeapVerdict v) {
  switch (v) {
    case HeapVerdict::kRetained: return "retained";
    case HeapVerdict::kChurn: return "churn";
    case HeapVerdict::kReleased: return "released";
    case HeapVerdict::kSteady: return "steady";
  }
  return "steady";
}

std::string_view heap_verdict_text(HeapVerdict v) {
  switch (v) {
    case HeapVerdict::kRetained: return "retained (leak candidate)";
    case HeapVerdict::kChurn: return "churn (alloc_* large, inuse_* flat): garbage, not a leak";
    case HeapVerdict::kReleased: return "released (inuse_* fell back)";
    case HeapVerdict::kSteady: return "steady";
  }
  return "steady";
}

HeapDiff diff_heap_profiles(const std::vector<const HeapProfile*>& profiles, const Catalog& catalog,
                            const HeapDiffThresholds& thresholds,
                            const std::vector<std::string>& modules) {
  HeapDiff d;
  d.profiles = profiles;
  const size_t n = profiles.size();
  std::unordered_map<uint64_t, size_t> row_of;
  std::vector<bool> present_first, present_last;
  for (size_t p = 0; p < n; ++p) {
    HeapValues total{};
    for (const HeapSample& s : profiles[p]->samples) {
      const Stack& st = catalog.stacks.get(s.stack);
      uint64_t sig = stack_signature(catalog, st.frames.data(), st.frames.size(), st.created_by,
                                     SignatureMode::kExact);
      auto [it, fresh] = row_of.emplace(sig, d.rows.size());
      if (fresh) {
        HeapDiffRow r;
        r.signature = sig;
        r.values.assign(n, HeapValues{});
        d.rows.push_back(std::move(r));
        present_first.push_back(false);
        present_last.push_back(false);
      }
      HeapDiffRow& r = d.rows[it->second];
      r.stack = s.stack;  // the newest profile's stack wins
      if (p == 0) present_first[it->second] = true;
      if (p + 1 == n) present_last[it->second] = true;
      for (size_t k = 0; k < kHeapValueCount; ++k) {
        r.values[p][k] = static_cast<int64_t>(static_cast<uint64_t>(r.values[p][k]) +
                                              static_cast<uint64_t>(s.values[k]));
        total[k] = static_cast<int64_t>(static_cast<uint64_t>(total[k]) + static_cast<uint64_t>(s.values[k]));
      }
    }
    d.totals.push_back(total);
  }
  int64_t newest_inuse = n ? d.totals[n - 1][kInuseSpace] : 0;
  d.threshold = std::max<int64_t>(thresholds.min_growth_bytes,
                                  static_cast<int64_t>(thresholds.min_growth_share *
                                                       static_cast<double>(std::max<int64_t>(newest_inuse, 0))));
  const int64_t t = d.threshold;
  for (size_t i = 0; i < d.rows.size(); ++i) {
    HeapDiffRow& r = d.rows[i];
    r.user_frame = find_user_frame(catalog.stacks.get(r.stack), catalog, modules);
    if (n < 2) continue;
    for (size_t k = 0; k < kHeapValueCount; ++k) r.growth[k] = sub(r.values[n - 1][k], r.values[0][k]);
    int64_t grew = r.growth[kInuseSpace];
    if (n >= 3) {
      int64_t load = sub(r.values[1][kInuseSpace], r.values[0][kInuseSpace]);
      if (load >= t) {
        bool stayed = static_cast<double>(grew) >= thresholds.stay_fraction * static_cast<double>(load);
        r.status = stayed ? HeapSiteStatus::kStayed : HeapSiteStatus::kDrained;
        r.verdict = stayed ? HeapVerdict::kRetained : HeapVerdict::kReleased;
        continue;
      }
    }
    if (!present_first[i]) r.status = HeapSiteStatus::kNew;
    else if (!present_last[i]) r.status = HeapSiteStatus::kGone;
    else if (grew >= t) r.status = HeapSiteStatus::kGrown;
    else if (grew <= -t) r.status = HeapSiteStatus::kShrunk;
    else r.status = HeapSiteStatus::kSame;
    if (grew >= t) r.verdict = HeapVerdict::kRetained;
    else if (grew <= -t) r.verdict = HeapVerdict::kReleased;
    else if (r.growth[kAllocSpace] >= t) r.verdict = HeapVerdict::kChurn;
    else r.verdict = HeapVerdict::kSteady;
  }
  std::stable_sort(d.rows.begin(), d.rows.end(), [](const HeapDiffRow& a, const HeapDiffRow& b) {
    return a.growth[kInuseSpace] > b.growth[kInuseSpace];
  });
  return d;
}

}  // namespace gorleak
