// The classify stage: evaluates the rules against each distinct Group of a
// Snapshot (never per goroutine) and turns what matches into Findings, sorted
// most severe and largest first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "classify/ignore_list.h"
#include "classify/rule_set.h"
#include "classify/source_lookup.h"
#include "model/catalog.h"
#include "model/snapshot.h"

namespace gorleak {

// What the diff stage knows about each group of the NEW snapshot: its count
// in the base dump (0 for a group that is new). Indexed like
// Snapshot::groups; shorter vectors mean "0" for the missing tail.
struct GrowthInfo {
  std::vector<uint64_t> previous;
};

struct ClassifyOptions {
  std::vector<std::string> modules;  // --module PREFIX
  IgnoreList ignore;
  SourceLookup* source = nullptr;  // --source-root; null: no source available
};

// Classifies the snapshots of one catalog, one after another, remembering
// what it worked out about each stack and string: the 16 profiles appended
// in one debug=1 file, or a series of dumps, share most of their stacks.
// `catalog`, `rules` and `options` must outlive it; the catalog may grow
// between calls.
class Classifier {
 public:
  Classifier(const Catalog& catalog, const RuleSet& rules, const ClassifyOptions& options);
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // As the free functions below.
  std::vector<Finding> find_leaks(const Snapshot& snapshot, const GrowthInfo* growth = nullptr);
  void classify(Snapshot& snapshot, const GrowthInfo* growth = nullptr);

  struct Memory;

 private:
  std::unique_ptr<Memory> memory_;
};

// Computes the findings for one snapshot, most severe and largest first.
// With `growth`, rules' growth conditions are checked against it and
// findings whose groups grew are marked growth_confirmed.
std::vector<Finding> find_leaks(const Snapshot& snapshot, const Catalog& catalog,
                                const RuleSet& rules, const ClassifyOptions& options,
                                const GrowthInfo* growth = nullptr);

// find_leaks + store into snapshot.findings (replacing what was there).
void classify(Snapshot& snapshot, const Catalog& catalog, const RuleSet& rules,
              const ClassifyOptions& options, const GrowthInfo* growth = nullptr);

// The sort order of findings: severity, then count, then rule id, site and
// first group, so equal inputs always print in the same order.
bool finding_before(const Finding& a, const Finding& b, const Catalog& catalog);

}  // namespace gorleak
