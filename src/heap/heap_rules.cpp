#include "heap/heap_rules.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "classify/leak_site.h"
#include "diff/signature.h"
#include "heap/go_version.h"
#include "model/units.h"

namespace gorleak {

namespace {

using SiteKey = std::tuple<StrId, StrId, uint32_t, bool>;  // func, file, line, in stdlib

struct SiteSum {
  HeapValues values{};
  std::vector<std::pair<StackId, int64_t>> stacks;  // stack, its `value`
  std::unordered_map<StackId, size_t> index;        // into stacks
};

void add_values(HeapValues* to, const HeapValues& v) {
  for (size_t k = 0; k < kHeapValueCount; ++k)
    (*to)[k] = static_cast<int64_t>(static_cast<uint64_t>((*to)[k]) + static_cast<uint64_t>(v[k]));
}

// The runtime's allocation entry points: on a stack of runtime frames only
// (the runtime allocating for itself) the site is the first frame past them.
bool allocator_frame(std::string_view f) {
  return f.starts_with("runtime.mallocgc") || f == "runtime.newobject" || f == "runtime.newarray" ||
         f == "runtime.makeslice" || f == "runtime.growslice" || f.starts_with("runtime.makemap") ||
         f == "runtime.makechan" || f == "runtime.rawstring" || f == "runtime.rawbyteslice";
}

// An anonymous function ("pkg.F.func1", "pkg.F.func2.3"): on a
// standard-library stack usually the `go func() { … }()` around the real
// work, named by the function it calls.
bool closure_frame(std::string_view f) {
  size_t dot = f.rfind(".func");
  if (dot == std::string_view::npos || dot + 5 >= f.size()) return false;
  for (char c : f.substr(dot + 5))
    if (!(c >= '0' && c <= '9') && c != '.') return false;
  return true;
}

// The allocation site of a heap stack: the first frame of the user's code;
// without one, the outermost frame that is not a runtime frame, a `go`
// wrapper or a closure (the goroutine's real work: net/http.(*conn).serve
// for a server's buffers, whatever version-specific wrapper started it),
// as a function, without its line; with runtime frames only, the first
// past the allocator (runtime.malg for goroutine structs).
LeakSite heap_site(const Catalog& catalog, const Stack& st, const LeakSiteFinder& finder) {
  LeakSite s = finder.find(catalog, st);
  if (!s.in_stdlib || st.frames.empty()) return s;
  auto pick = [&](size_t i) {
    const Frame& f = st.frames[i];
    s.site = SourceSite{f.func, f.file, f.line};
    s.frame_index = static_cast<int>(i);
  };
  for (size_t i = st.frames.size(); i-- > 0;) {
    std::string_view func = catalog.str(st.frames[i].func);
    if (!is_cross_form_noise(func, catalog.str(st.frames[i].file)) && !closure_frame(func)) {
      pick(i);
      s.site.line = 0;  // one site per function: the reader and writer of a conn are one
      return s;
    }
  }
  size_t i = 0;
  while (i + 1 < st.frames.size() && allocator_frame(catalog.str(st.frames[i].func))) ++i;
  pick(i);
  return s;
}

Confidence step(Confidence c, int by) {
  int v = std::clamp(static_cast<int>(c) + by, static_cast<int>(Confidence::kLow),
                     static_cast<int>(Confidence::kHigh));
  return static_cast<Confidence>(v);
}

std::string amount(HeapValue v, int64_t x) {
  return is_bytes(v) ? format_bytes(x) : fmt::format("{} objects", x);
}

class HeapEvaluator {
 public:
  HeapEvaluator(const Catalog& catalog, const RuleSet& rules, const HeapClassifyOptions& options)
      : catalog_(catalog), patterns_(rules, catalog), finder_(options.modules) {}

  const LeakSite& site(StackId id) {
    if (id >= known_.size()) {
      known_.resize(catalog_.stacks.size(), false);
      sites_.resize(catalog_.stacks.size());
    }
    if (!known_[id]) {
      sites_[id] = heap_site(catalog_, catalog_.stacks.get(id), finder_);
      known_[id] = true;
    }
    return sites_[id];
  }

  bool matches(const CompiledRule& c, StackId id) {
    const Stack& st = catalog_.stacks.get(id);
    const LeakSite& s = site(id);
    for (const CompiledFrameCondition& f : c.frames) {
      bool hit = false;
      switch (f.scope) {
        case FrameScope::kAny:
          for (const Frame& fr : st.frames) hit = hit || frame_matches(f, fr.func, fr.file);
          break;
        case FrameScope::kTop:
          for (size_t k = 0; k < st.frames.size() && k < f.depth && !hit; ++k)
            hit = frame_matches(f, st.frames[k].func, st.frames[k].file);
          break;
        case FrameScope::kUser:
          hit = !s.in_stdlib && s.frame_index >= 0 && frame_matches(f, s.site.func, s.site.file);
          break;
        case FrameScope::kCreatedBy: break;  // heap stacks have none
      }
      if (hit == f.negate) return false;
    }
    return true;
  }

  SiteKey key(StackId id) {
    const LeakSite& s = site(id);
    return SiteKey{s.site.func, s.site.file, s.site.line, s.in_stdlib};
  }

 private:
  bool frame_matches(const CompiledFrameCondition& f, StrId func, StrId file) {
    if (f.func >= 0 && !patterns_.func(func, f.func)) return false;
    if (f.file >= 0 && !patterns_.file(file, f.file)) return false;
    return true;
  }

  const Catalog& catalog_;
  PatternCache patterns_;
  LeakSiteFinder finder_;
  std::vector<LeakSite> sites_;  // by StackId, where known_
  std::vector<bool> known_;
};

std::map<SiteKey, SiteSum> sum_sites(HeapEvaluator& eval, const CompiledRule& c, const HeapProfile& p,
                                     HeapValue value, const std::vector<bool>* claimed) {
  std::map<SiteKey, SiteSum> sums;
  // By StackId: 0 unknown, 1 no match, 2 match (a profile repeats stacks
  // once per object size).
  std::vector<uint8_t> verdict;
  const size_t vi = static_cast<size_t>(value);
  for (const HeapSample& s : p.samples) {
    if (claimed && s.stack < claimed->size() && (*claimed)[s.stack]) continue;
    if (s.stack >= verdict.size()) verdict.resize(static_cast<size_t>(s.stack) * 2 + 1, 0);
    if (verdict[s.stack] == 0) verdict[s.stack] = eval.matches(c, s.stack) ? 2 : 1;
    if (verdict[s.stack] != 2) continue;
    SiteSum& sum = sums[eval.key(s.stack)];
    add_values(&sum.values, s.values);
    auto [at, added] = sum.index.emplace(s.stack, sum.stacks.size());
    if (added) sum.stacks.emplace_back(s.stack, 0);
    sum.stacks[at->second].second += s.values[vi];
  }
  return sums;
}

}  // namespace

std::vector<HeapFinding> find_heap_leaks(const HeapProfile& now, const Catalog& catalog,
                                         const RuleSet& rules, const HeapClassifyOptions& options,
                                         const HeapProfile* base) {
  std::vector<HeapFinding> out;
  std::vector<const CompiledRule*> order;
  for (const CompiledRule& c : rules.heap_compiled()) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](const CompiledRule* a, const CompiledRule* b) {
    return a->rule->priority > b->rule->priority;
  });
  HeapEvaluator eval(catalog, rules, options);
  std::vector<bool> claimed(catalog.stacks.size(), false);  // by StackId
  for (const CompiledRule* c : order) {
    const Rule& r = *c->rule;
    const HeapMatchSpec& spec = r.heap;
    if (spec.growth.required && !base) continue;
    // fixed_in_go: a profile known to come from that release or later gets
    // `info`, as a goroutine dump does.
    const uint32_t fixed = r.fixed_in_go_minor;
    const bool fixed_here = fixed != 0 && now.go_version.min_minor >= fixed;
    if (!now.has_value[static_cast<size_t>(spec.value)]) continue;
    const size_t vi = static_cast<size_t>(spec.value);
    int64_t total = heap_total(now, spec.value);
    auto sums = sum_sites(eval, *c, now, spec.value, &claimed);
    std::map<SiteKey, SiteSum> before;
    if (base) before = sum_sites(eval, *c, *base, spec.value, nullptr);
    for (auto& [key, sum] : sums) {
      int64_t v = sum.values[vi];
      double share = total > 0 ? static_cast<double>(v) / static_cast<double>(total) : 0;
      if (v < spec.min_value || share < spec.min_share || v <= 0) continue;
      const int64_t alloc = sum.values[static_cast<size_t>(HeapValue::kAllocSpace)];
      const double retained =
          alloc > 0 ? static_cast<double>(sum.values[static_cast<size_t>(HeapValue::kInuseSpace)]) /
                          static_cast<double>(alloc)
                    : 0;
      if (spec.min_retained > 0 && (!now.has_value[static_cast<size_t>(HeapValue::kAllocSpace)] ||
                                    retained < spec.min_retained))
        continue;
      HeapFinding f;
      if (base) {
        f.has_growth = true;
        const HeapValues& old = before.count(key) ? before[key].values : HeapValues{};
        for (size_t k = 0; k < kHeapValueCount; ++k) f.growth[k] = sum.values[k] - old[k];
        const auto& g = f.growth;
        if (spec.growth.present &&
            (g[static_cast<size_t>(HeapValue::kInuseSpace)] < spec.growth.min_inuse_space ||
             g[static_cast<size_t>(HeapValue::kInuseObjects)] < spec.growth.min_inuse_objects ||
             (spec.growth.min_inuse_space == 0 && spec.growth.min_inuse_objects == 0 &&
              g[static_cast<size_t>(HeapValue::kInuseSpace)] <= 0)))
          continue;
      }
      std::stable_sort(sum.stacks.begin(), sum.stacks.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      f.rule = r.id;
      f.title = r.title;
      f.severity = r.severity;
      f.confidence = r.confidence;
      f.description = r.description;
      f.fix = r.fix;
      f.value = spec.value;
      f.values = sum.values;
      f.share = share;
      auto [func, file, line, stdlib] = key;
      f.site = SourceSite{func, file, line};
      f.site_in_stdlib = stdlib;
      for (const auto& e : sum.stacks) f.stacks.push_back(e.first);
      const Stack& largest = catalog.stacks.get(f.stacks.front());
      if (!largest.frames.empty())
        f.allocated_in = SourceSite{largest.frames[0].func, largest.frames[0].file, largest.frames[0].line};
      if (spec.growth.present && base) f.confidence = step(f.confidence, +1);
      if (fixed_here) {
        f.severity = RuleSeverity::kInfo;
        f.version_note = fmt::format(
            "{} ({}): the shape stopped leaking in Go 1.{}, so whatever is held here is held by "
            "the program itself.",
            go_version_phrase(now.go_version), now.go_version.basis, fixed);
      } else if (fixed != 0 && !now.go_version.known()) {
        f.confidence = step(f.confidence, -1);
        f.version_note = fmt::format(
            "The profile does not say which Go version wrote it; this leaks only before Go 1.{}. "
            "On 1.{} or later the same code is collected, and memory held here is held by the "
            "program itself.",
            fixed, fixed);
      } else if (fixed != 0) {
        f.version_note = fmt::format("{} ({}): before Go 1.{}, where this leaks.",
                                     go_version_phrase(now.go_version), now.go_version.basis, fixed);
      }
      const int64_t inuse_space = f.values[static_cast<size_t>(HeapValue::kInuseSpace)];
      const int64_t inuse_objects = f.values[static_cast<size_t>(HeapValue::kInuseObjects)];
      std::string where = f.site_in_stdlib
                              ? fmt::format("under {}", catalog.str(f.site.func))
                              : fmt::format("at {}", catalog.str(f.site.func));
      f.evidence = fmt::format(
          "{} in use in {} objects {} ({:.0f}% of the profile's {}), allocated by {}; {} "
          "allocated there since the program started.",
          format_bytes(inuse_space), inuse_objects, where, 100 * share, heap_value_name(spec.value),
          catalog.str(f.allocated_in.func),
          format_bytes(f.values[static_cast<size_t>(HeapValue::kAllocSpace)]));
      if (f.has_growth)
        f.evidence += fmt::format(" Since the base profile: {} in use, {:+} objects.",
                                  format_bytes_delta(f.growth[static_cast<size_t>(HeapValue::kInuseSpace)]),
                                  f.growth[static_cast<size_t>(HeapValue::kInuseObjects)]);
      std::vector<std::string> limits;
      if (spec.min_value > 0) limits.push_back(fmt::format("at least {}", amount(spec.value, spec.min_value)));
      if (spec.min_share > 0) limits.push_back(fmt::format("at least {:.0f}% of {}", 100 * spec.min_share, heap_value_name(spec.value)));
      if (spec.min_retained > 0)
        limits.push_back(fmt::format("holding at least {:.0f}% of what the site allocated (it holds {:.0f}%)",
                                     100 * spec.min_retained, 100 * retained));
      if (spec.growth.present)
        limits.push_back(fmt::format("growth of at least {} / {} objects between profiles",
                                     format_bytes(spec.growth.min_inuse_space), spec.growth.min_inuse_objects));
      if (!limits.empty()) {
        std::string joined;
        for (const auto& l : limits) joined += (joined.empty() ? "" : ", ") + l;
        f.evidence += fmt::format(" Rule threshold: {}.", joined);
      }
      if (f.severity > RuleSeverity::kInfo)
        for (StackId id : f.stacks) claimed[id] = true;
      out.push_back(std::move(f));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const HeapFinding& a, const HeapFinding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    int64_t x = a.values[static_cast<size_t>(a.value)], y = b.values[static_cast<size_t>(b.value)];
    if (x != y) return x > y;
    return a.rule < b.rule;
  });
  return out;
}

}  // namespace gorleak
