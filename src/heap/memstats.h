// What the numbers of runtime.MemStats mean, the ones people misread, worked
// out for one profile, and whether the profile may hold garbage.
//
//   HeapAlloc    bytes of live objects plus garbage not yet swept: the heap
//                the program is using now (the profile's inuse_space is
//                the live part as of the last GC, scaled from samples)
//   HeapInuse    bytes in spans with at least one object; HeapInuse -
//                HeapAlloc is fragmentation inside those spans
//   HeapIdle     bytes in spans with no objects: kept for reuse or already
//                given back to the OS (HeapReleased is the part given back)
//   HeapSys      HeapInuse + HeapIdle: heap address space from the OS
//   Sys          everything the runtime got from the OS: heap, goroutine
//                stacks (StackSys), GC metadata, MSpan/MCache, buckets…
//   StackInuse   bytes of goroutine stacks in use; grows with goroutines,
//                never shows in the heap profile
//
// Resident memory (RSS) of a pure Go program is at most about Sys -
// HeapReleased; RSS well above that is memory the Go runtime does not know
// (cgo, C libraries, mmap'd files) and no heap profile will show it.
#pragma once

#include <string>
#include <vector>

#include "model/heap_profile.h"

namespace gorleak {

struct MemStatsLine {
  std::string name;         // "HeapAlloc"
  uint64_t value = 0;       // bytes
  std::string meaning;      // one line
};

struct MemStatsReport {
  std::vector<MemStatsLine> lines;
  std::vector<std::string> notes;  // conclusions: fragmentation, stacks, RSS vs Sys…
};

// Empty when the profile has no MemStats block (protobuf profiles).
MemStatsReport explain_memstats(const HeapProfile& profile);

// Whether the profile reflects a GC run just before it was written (what
// /debug/pprof/heap?gc=1 does): inuse values are as of the last completed
// GC, so an old GC leaves objects that died since counted as in use.
enum class GcFreshness : uint8_t {
  kUnknown,     // protobuf: the profile does not say
  kNoForcedGc,  // MemStats: no forced GC ever ran, so no ?gc=1: may hold garbage
  kForcedGc,    // MemStats: a forced GC ran (as ?gc=1 does), maybe not just before
};
GcFreshness gc_freshness(const HeapProfile& profile);
// One sentence for the report, recommending ?gc=1 when it may be stale.
std::string gc_freshness_text(GcFreshness f, const HeapProfile& profile);
std::string_view gc_freshness_name(GcFreshness f);  // "unknown", "no-forced-gc", "forced-gc"

}  // namespace gorleak
