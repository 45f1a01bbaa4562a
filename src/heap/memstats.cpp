#include "heap/memstats.h"

#include <fmt/format.h>

#include "model/units.h"

namespace gorleak {

namespace {

double pct(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

MemStatsReport explain_memstats(const HeapProfile& profile) {
  MemStatsReport r;
  if (!profile.memstats || profile.memstats->fields == 0) return r;
  const MemStats& m = *profile.memstats;
  auto line = [&](std::string name, uint64_t value, std::string meaning) {
    r.lines.push_back(MemStatsLine{std::move(name), value, std::move(meaning)});
  };
  line("HeapAlloc", m.heap_alloc,
       "live objects plus garbage not yet swept: the heap in use right now");
  line("HeapInuse", m.heap_inuse,
       "spans holding at least one object (HeapInuse - HeapAlloc is fragmentation)");
  line("HeapIdle", m.heap_idle, "spans with no objects, kept for reuse or returned to the OS");
  line("HeapReleased", m.heap_released, "the part of HeapIdle returned to the OS (not resident)");
  line("HeapSys", m.heap_sys, "heap address space obtained from the OS (HeapInuse + HeapIdle)");
  line("StackInuse", m.stack_inuse, "goroutine stacks: grows with goroutines, not in the heap profile");
  line("Sys", m.sys, "everything the Go runtime obtained from the OS (heap, stacks, GC metadata…)");
  if (m.max_rss) line("MaxRSS", *m.max_rss, "the process's peak resident memory, from the OS");

  int64_t inuse = heap_total(profile, HeapValue::kInuseSpace);
  if (inuse > 0 && m.heap_alloc > 0) {
    r.notes.push_back(fmt::format(
        "The profile's inuse_space ({}) is the live heap as of the last GC, estimated from "
        "samples; HeapAlloc ({}) also counts objects allocated since then and garbage not yet "
        "collected.",
        format_bytes(inuse), format_bytes(static_cast<int64_t>(m.heap_alloc))));
  }
  if (m.heap_inuse > m.heap_alloc && m.heap_inuse > 0 &&
      m.heap_inuse - m.heap_alloc > m.heap_inuse / 4) {
    r.notes.push_back(fmt::format(
        "{:.0f}% of HeapInuse holds no live object ({} of {}): fragmentation, typical after many "
        "objects of one size were freed; it is reused, not leaked.",
        pct(m.heap_inuse - m.heap_alloc, m.heap_inuse),
        format_bytes(static_cast<int64_t>(m.heap_inuse - m.heap_alloc)),
        format_bytes(static_cast<int64_t>(m.heap_inuse))));
  }
  if (m.heap_idle > m.heap_released) {
    uint64_t retained = m.heap_idle - m.heap_released;
    if (retained > m.heap_sys / 4)
      r.notes.push_back(fmt::format(
          "{} of idle heap is still resident (HeapIdle - HeapReleased): the runtime returns it "
          "to the OS gradually; RSS falls later, or at once with debug.FreeOSMemory().",
          format_bytes(static_cast<int64_t>(retained))));
  }
  if (m.stack_inuse > m.heap_alloc / 2 && m.stack_inuse >= (uint64_t{8} << 20)) {
    r.notes.push_back(fmt::format(
        "Goroutine stacks use {} (StackInuse), {:.0f}% of HeapAlloc: many goroutines, or deep "
        "ones. A heap profile cannot show this; read a goroutine dump "
        "(/debug/pprof/goroutine?debug=2) with gorleak.",
        format_bytes(static_cast<int64_t>(m.stack_inuse)), pct(m.stack_inuse, m.heap_alloc)));
  }
  if (m.sys > 0) {
    uint64_t resident_bound = m.sys > m.heap_released ? m.sys - m.heap_released : 0;
    std::string bound = fmt::format(
        "RSS of a pure Go process is at most about Sys - HeapReleased = {}",
        format_bytes(static_cast<int64_t>(resident_bound)));
    if (m.max_rss && *m.max_rss > resident_bound + resident_bound / 4 + (uint64_t{16} << 20)) {
      r.notes.push_back(fmt::format(
          "{}; the process reached {} (MaxRSS): {} the Go runtime does not account for (cgo, C "
          "libraries, mmap'd files) cannot be heap and will not show in any heap profile.",
          bound, format_bytes(static_cast<int64_t>(*m.max_rss)),
          format_bytes(static_cast<int64_t>(*m.max_rss - resident_bound))));
    } else {
      r.notes.push_back(bound + ": RSS growth beyond that is not Go heap (cgo, mmap); RSS "
                                "growth within it can be heap, stacks or idle spans not yet "
                                "returned.");
    }
  }
  return r;
}

GcFreshness gc_freshness(const HeapProfile& profile) {
  if (!profile.memstats || profile.memstats->fields == 0) return GcFreshness::kUnknown;
  return profile.memstats->num_forced_gc == 0 ? GcFreshness::kNoForcedGc : GcFreshness::kForcedGc;
}

std::string gc_freshness_text(GcFreshness f, const HeapProfile& profile) {
  switch (f) {
    case GcFreshness::kUnknown:
      return fmt::format(
          "{} does not say whether a GC ran just before it: its inuse_* values are as of the "
          "last GC and may count objects that died since. Fetch /debug/pprof/heap?gc=1 to be "
          "sure.",
          profile.form == HeapForm::kProto ? "A protobuf profile" : "This profile (no MemStats block)");
    case GcFreshness::kNoForcedGc:
      return fmt::format(
          "No forced GC has run in this process (NumForcedGC = 0), so this profile was not "
          "taken with ?gc=1: inuse_* are as of the last automatic GC ({} so far) and may count "
          "garbage. Fetch /debug/pprof/heap?gc=1 for the live heap.",
          profile.memstats->num_gc);
    case GcFreshness::kForcedGc:
      return fmt::format(
          "A forced GC has run ({} so far), as /debug/pprof/heap?gc=1 does just before the "
          "profile; if this profile was fetched without ?gc=1, inuse_* may still count garbage.",
          profile.memstats->num_forced_gc);
  }
  return {};
}

std::string_view gc_freshness_name(GcFreshness f) {
  switch (f) {
    case GcFreshness::kUnknown: return "unknown";
    case GcFreshness::kNoForcedGc: return "no-forced-gc";
    case GcFreshness::kForcedGc: return "forced-gc";
  }
  return "unknown";
}

}  // namespace gorleak
