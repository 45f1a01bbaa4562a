#include "suppress/finding_filter.h"

#include <utility>

namespace gorleak {

uint64_t remove_findings(std::vector<Finding>* findings,
                         const std::function<bool(const Finding&)>& drop) {
  std::vector<int32_t> new_index(findings->size(), -1);
  std::vector<Finding> kept;
  for (size_t i = 0; i < findings->size(); ++i) {
    if (drop((*findings)[i])) continue;
    new_index[i] = static_cast<int32_t>(kept.size());
    kept.push_back(std::move((*findings)[i]));
  }
  uint64_t removed = findings->size() - kept.size();
  for (Finding& f : kept) {
    if (f.cause_finding < 0) continue;
    size_t cause = static_cast<size_t>(f.cause_finding);
    f.cause_finding = cause < new_index.size() ? new_index[cause] : -1;
  }
  *findings = std::move(kept);
  return removed;
}

uint64_t remove_findings_below(std::vector<Finding>* findings, RuleSeverity min) {
  return remove_findings(findings, [min](const Finding& f) { return f.severity < min; });
}

}  // namespace gorleak
