// Taking findings out of a list before any report: what a baseline accepts
// (suppressor.h) and what --min-severity hides. Writers never filter
// findings themselves; they show what is left.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "model/finding.h"

namespace gorleak {

// Removes the findings `drop` is true for, keeping the order of the rest
// and their cause_finding links (a link to a removed finding becomes -1;
// its `cause` sentence stays, it is still true). Returns how many went.
uint64_t remove_findings(std::vector<Finding>* findings,
                         const std::function<bool(const Finding&)>& drop);

// --min-severity: removes findings below `min`.
uint64_t remove_findings_below(std::vector<Finding>* findings, RuleSeverity min);

}  // namespace gorleak
