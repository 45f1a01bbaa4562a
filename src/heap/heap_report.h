// Everything a heap report shows, worked out once: the writers
// (report/heap_text_report.h, report/heap_json_report.h) only format it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "classify/rule_set.h"
#include "heap/heap_diff.h"
#include "heap/heap_rules.h"
#include "heap/heap_top.h"
#include "heap/memstats.h"
#include "model/catalog.h"
#include "model/heap_profile.h"
#include "model/snapshot.h"

namespace gorleak {

struct HeapReportOptions {
  HeapValue value = HeapValue::kInuseSpace;  // --sample-index
  size_t top = 10;  // rows per table; 0: all
  std::vector<std::string> modules;
  bool color = false;
  bool full = false;  // every frame of a stack
  HeapDiffThresholds thresholds;
};

struct HeapProfileView {
  const HeapProfile* profile = nullptr;
  HeapTop top;
  std::vector<HeapFinding> findings;
  MemStatsReport memstats;
  GcFreshness freshness = GcFreshness::kUnknown;
  std::string freshness_text;
};

// A goroutine leak finding joined with the heap its goroutines hold: heap
// stacks that run through the finding's leak site or the function that
// started the goroutines (its created-by site), in one heap profile.
struct HeapRetention {
  size_t snapshot = 0;  // index into the goroutine snapshots given
  size_t finding = 0;   // index into that snapshot's findings
  const HeapProfile* profile = nullptr;
  HeapValues values{};
  std::vector<StackId> stacks;  // largest inuse_space first
};

struct HeapReport {
  std::vector<HeapProfileView> profiles;
  std::vector<HeapRetention> retention;  // when goroutine dumps were given too
};

struct HeapDiffView {
  HeapDiff diff;
  std::vector<std::string> names;  // per profile
  HeapTop delta;  // per function, newest minus first (`go tool pprof -top -base`)
  std::vector<HeapFinding> findings;  // heap rules on the newest profile, with growth
  HeapValue value = HeapValue::kInuseSpace;
};

HeapProfileView view_heap_profile(const HeapProfile& profile, const Catalog& catalog,
                                  const RuleSet* rules, const HeapReportOptions& options);

// `snapshots` classified already; `profiles` share their catalog.
std::vector<HeapRetention> join_goroutine_leaks(const std::vector<Snapshot>& snapshots,
                                                const std::vector<HeapProfile>& profiles,
                                                const Catalog& catalog);

HeapDiffView view_heap_diff(const std::vector<const HeapProfile*>& profiles,
                            const Catalog& catalog, const RuleSet* rules,
                            const HeapReportOptions& options);

}  // namespace gorleak
