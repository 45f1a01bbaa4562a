#include "diff/diff_findings.h"

namespace gorleak {

GrowthInfo growth_info(const SnapshotDiff& diff, size_t dump) {
  GrowthInfo info;
  const Snapshot& snap = *diff.dumps[dump].snapshot;
  info.previous.resize(snap.groups.size(), 0);
  for (uint32_t gi = 0; gi < snap.groups.size(); ++gi) {
    const Group& g = snap.groups[gi];
    const DiffRow& row = diff.rows[diff.row_of[dump][gi]];
    if (!row.growth.grows || dump == 0) {
      info.previous[gi] = g.count;
      continue;
    }
    uint64_t now = row.counts[dump];
    uint64_t before = row.counts.front();
    // Proportional share, rounded down; a row rarely holds several groups.
    info.previous[gi] = now == 0 ? 0 : static_cast<uint64_t>(
        static_cast<unsigned __int128>(before) * g.count / now);
  }
  return info;
}

void mark_growth_confirmed(const SnapshotDiff& diff, size_t dump, std::vector<Finding>* findings) {
  for (Finding& f : *findings) {
    for (uint32_t gi : f.groups) {
      if (gi >= diff.row_of[dump].size()) continue;
      if (diff.rows[diff.row_of[dump][gi]].growth.grows) {
        f.growth_confirmed = true;
        break;
      }
    }
  }
}

std::vector<Finding> classify_with_growth(const SnapshotDiff& diff, size_t dump,
                                          const RuleSet& rules, const ClassifyOptions& options) {
  GrowthInfo growth = growth_info(diff, dump);
  std::vector<Finding> findings = find_leaks(*diff.dumps[dump].snapshot, *diff.dumps[dump].catalog,
                                             rules, options, &growth);
  mark_growth_confirmed(diff, dump, &findings);
  return findings;
}

}  // namespace gorleak
