// Findings in a diff: the classifier runs on one dump of the comparison
// (the last: what is left after the load) with what the diff learned about
// growth, and findings whose groups grow (diff/growth.h) are marked
// growth-confirmed.
#pragma once

#include <vector>

#include "classify/classifier.h"
#include "diff/snapshot_diff.h"
#include "model/finding.h"

namespace gorleak {

// GrowthInfo for the groups of `dump`: the first dump's count of the same
// row, shared among the row's groups in `dump` in proportion to their
// counts. Rows that do not grow (diff/growth.h: drained, shrunk, flat, or
// up by less than K) get previous = current, so growth conditions see no
// growth there: with three dumps, growth that drained after the load is
// load, not a leak.
GrowthInfo growth_info(const SnapshotDiff& diff, size_t dump);

// Sets Finding::growth_confirmed on findings (of `dump`) that cover a group
// whose row grows (diff/growth.h).
void mark_growth_confirmed(const SnapshotDiff& diff, size_t dump, std::vector<Finding>* findings);

// The findings of `dump`, classified with growth_info and marked
// growth-confirmed: what diff, trend, probe, watch and history report.
std::vector<Finding> classify_with_growth(const SnapshotDiff& diff, size_t dump,
                                          const RuleSet& rules, const ClassifyOptions& options);

}  // namespace gorleak
