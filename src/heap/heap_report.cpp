#include "heap/heap_report.h"

#include <algorithm>
#include <unordered_map>

namespace gorleak {

HeapProfileView view_heap_profile(const HeapProfile& profile, const Catalog& catalog,
                                  const RuleSet* rules, const HeapReportOptions& options) {
  HeapProfileView v;
  v.profile = &profile;
  v.top = heap_top(profile, catalog, options.value, options.modules);
  if (rules) v.findings = find_heap_leaks(profile, catalog, *rules, HeapClassifyOptions{options.modules});
  v.memstats = explain_memstats(profile);
  v.freshness = gc_freshness(profile);
  v.freshness_text = gc_freshness_text(v.freshness, profile);
  return v;
}

std::vector<HeapRetention> join_goroutine_leaks(const std::vector<Snapshot>& snapshots,
                                                const std::vector<HeapProfile>& profiles,
                                                const Catalog& catalog) {
  std::vector<HeapRetention> out;
  const size_t inuse = static_cast<size_t>(HeapValue::kInuseSpace);
  for (size_t si = 0; si < snapshots.size(); ++si) {
    const Snapshot& snap = snapshots[si];
    for (size_t fi = 0; fi < snap.findings.size(); ++fi) {
      const Finding& f = snap.findings[fi];
      if (f.severity == RuleSeverity::kInfo) continue;
      // The leaked goroutines run the site; what started them, the
      // created-by function, often allocated what they hold (a ticker, a
      // buffer) before the `go` statement.
      StrId funcs[2] = {f.site.func, f.created_by.func};
      for (const HeapProfile& p : profiles) {
        HeapRetention r;
        r.snapshot = si;
        r.finding = fi;
        r.profile = &p;
        std::vector<std::pair<StackId, int64_t>> stacks;
        std::unordered_map<StackId, size_t> index;  // into stacks
        for (const HeapSample& s : p.samples) {
          const Stack& st = catalog.stacks.get(s.stack);
          bool hit = std::any_of(st.frames.begin(), st.frames.end(), [&](const Frame& fr) {
            return fr.func != 0 && (fr.func == funcs[0] || fr.func == funcs[1]);
          });
          if (!hit) continue;
          for (size_t k = 0; k < kHeapValueCount; ++k) r.values[k] += s.values[k];
          auto [at, fresh] = index.emplace(s.stack, stacks.size());
          if (fresh) stacks.emplace_back(s.stack, 0);
          stacks[at->second].second += s.values[inuse];
        }
        if (stacks.empty()) continue;
        std::stable_sort(stacks.begin(), stacks.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        for (const auto& e : stacks) r.stacks.push_back(e.first);
        out.push_back(std::move(r));
      }
    }
  }
  return out;
}

HeapDiffView view_heap_diff(const std::vector<const HeapProfile*>& profiles,
                            const Catalog& catalog, const RuleSet* rules,
                            const HeapReportOptions& options) {
  HeapDiffView v;
  v.value = options.value;
  v.diff = diff_heap_profiles(profiles, catalog, options.thresholds, options.modules);
  for (const HeapProfile* p : profiles) v.names.push_back(p->source);
  HeapProfile delta = heap_difference(*profiles.front(), *profiles.back());
  v.delta = heap_top(delta, catalog, options.value, options.modules);
  if (rules)
    v.findings = find_heap_leaks(*profiles.back(), catalog, *rules, HeapClassifyOptions{options.modules},
                                 profiles.front());
  return v;
}

}  // namespace gorleak
