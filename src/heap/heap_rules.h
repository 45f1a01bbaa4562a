// The heap rules (`heap:` in a rule file, classify/rule.h) evaluated over a
// heap profile: each allocation stack is tested against every heap rule's
// frame conditions through the rule set's compiled patterns, matching
// stacks are summed per allocation site (the first frame of the user's
// code), and a site that meets the rule's size, share, growth and Go-version
// conditions becomes a HeapFinding.
//
// Rules run in priority order; a stack reported by a rule above `info` is
// claimed, as goroutine groups are (rules/README.md), so a specific rule
// (time.After timers) wins over a generic one (a growing map).
#pragma once

#include <string>
#include <vector>

#include "classify/rule_set.h"
#include "model/catalog.h"
#include "model/heap_profile.h"

namespace gorleak {

struct HeapClassifyOptions {
  std::vector<std::string> modules;  // --module prefixes naming the user's code
};

// `base`: an older profile of the same program, sharing `catalog`, for the
// rules' growth conditions (nullptr: one profile, growth unknown). Findings
// come most severe first, then largest.
std::vector<HeapFinding> find_heap_leaks(const HeapProfile& now, const Catalog& catalog,
                                         const RuleSet& rules, const HeapClassifyOptions& options,
                                         const HeapProfile* base = nullptr);

}  // namespace gorleak
