#include "diff/verdict.h"

namespace gorleak {

std::vector<LikelyLeak> likely_leaks(const SnapshotDiff& d, LeakBasis basis, size_t focus,
                                     const std::vector<Finding>& findings) {
  std::vector<LikelyLeak> out;
  for (uint32_t r = 0; r < d.rows.size(); ++r) {
    const DiffRow& row = d.rows[r];
    bool leak = basis == LeakBasis::kLoad ? row.status == DiffStatus::kStayed : row.growth.grows;
    if (!leak || d.category(row) == StateCategory::kRuntime) continue;
    LikelyLeak l;
    l.row = r;
    for (uint32_t f = 0; f < findings.size(); ++f)
      for (uint32_t gi : findings[f].groups)
        if (focus < d.row_of.size() && gi < d.row_of[focus].size() && d.row_of[focus][gi] == r) {
          l.findings.push_back(f);
          break;
        }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace gorleak
