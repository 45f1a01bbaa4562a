// One heap profile: allocation sites (stacks, interned in the same Catalog as
// goroutine stacks) with the four values Go records for each, and, for the
// debug=1 text form, the runtime.MemStats block printed after it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "model/finding.h"
#include "model/snapshot.h"
#include "model/stack.h"

namespace gorleak {

// The four sample types of a Go heap profile, in the order Go writes them.
enum class HeapValue : uint8_t {
  kAllocObjects,  // objects allocated since the program started
  kAllocSpace,    // bytes allocated since the program started
  kInuseObjects,  // objects live at the last GC (allocated and not yet freed)
  kInuseSpace,    // bytes live at the last GC
};
inline constexpr size_t kHeapValueCount = 4;
// "alloc_objects", "alloc_space", "inuse_objects", "inuse_space"
std::string_view heap_value_name(HeapValue v);
bool heap_value_from_name(std::string_view name, HeapValue* out);
inline bool is_bytes(HeapValue v) { return v == HeapValue::kAllocSpace || v == HeapValue::kInuseSpace; }

using HeapValues = std::array<int64_t, kHeapValueCount>;

enum class HeapForm : uint8_t {
  kProto,   // gzipped protobuf: /debug/pprof/heap, /debug/pprof/allocs, WriteHeapProfile
  kText,    // debug=1 text: `heap profile: …` header, `#` frames, MemStats
};
std::string_view heap_form_name(HeapForm f);  // "proto", "text"

// One allocation site as the profile records it: a stack and, for Go's
// profiles, the size of each object allocated there (Go keeps one record
// per stack and object size; several records may share a stack).
struct HeapSample {
  StackId stack = 0;
  HeapValues values{};  // scaled for sampling, as `go tool pprof` shows them
  int64_t object_size = 0;  // bytes per object; 0 when the profile does not say
};

// runtime.MemStats as the debug=1 heap profile prints it (`# Name = value`),
// the fields gorleak explains. Absent fields stay 0; `present` lists which
// were read.
struct MemStats {
  uint64_t alloc = 0, total_alloc = 0, sys = 0, mallocs = 0, frees = 0;
  uint64_t heap_alloc = 0, heap_sys = 0, heap_idle = 0, heap_inuse = 0, heap_released = 0,
           heap_objects = 0;
  uint64_t stack_inuse = 0, stack_sys = 0;
  uint64_t mspan_inuse = 0, mspan_sys = 0, mcache_inuse = 0, mcache_sys = 0;
  uint64_t buck_hash_sys = 0, gc_sys = 0, other_sys = 0;
  uint64_t next_gc = 0, last_gc = 0, num_gc = 0, num_forced_gc = 0;
  double gc_cpu_fraction = 0;
  std::optional<uint64_t> max_rss;  // `# MaxRSS = N` (Go 1.19+ on Linux)
  uint32_t fields = 0;              // how many `# Name = value` lines were read
};

struct HeapProfile {
  HeapForm form = HeapForm::kProto;
  std::string source;  // input name, "-" for stdin
  // Which of the four values the profile has: the text form without
  // allocation counts (header alloc == inuse) has only the inuse pair.
  std::array<bool, kHeapValueCount> has_value{true, true, true, true};
  int64_t sampling_rate = 0;  // MemProfileRate in bytes (text: header's heap/N ÷ 2)
  int64_t time_nanos = 0;     // protobuf only
  std::string default_sample_type;  // protobuf only: "alloc_space" for /debug/pprof/allocs
  std::string binary;               // protobuf only: the program's path, when recorded
  std::vector<HeapSample> samples;  // in profile order
  std::optional<MemStats> memstats;  // text only
  // Inferred from frames and paths (heap/go_version.h); protobuf profiles
  // carry no version.
  GoVersionRange go_version;
  uint64_t lines = 0;  // text: lines read
  std::vector<Diagnostic> diagnostics;
};

// Sum of one value over every sample.
int64_t heap_total(const HeapProfile& p, HeapValue v);

// A heap rule's conclusion about one allocation site (heap/heap_rules.h).
struct HeapFinding {
  std::string rule;  // rule id
  std::string title;
  RuleSeverity severity = RuleSeverity::kMedium;
  Confidence confidence = Confidence::kMedium;
  SourceSite site;              // first frame of the user's code on the stacks
  bool site_in_stdlib = false;  // no user frame: the stacks' outermost frame
  SourceSite allocated_in;      // innermost frame of the largest stack: what allocated
  HeapValue value = HeapValue::kInuseSpace;  // the rule's measure
  HeapValues values{};          // summed over the site's matching stacks
  double share = 0;             // of the profile's total `value`
  bool has_growth = false;      // compared with an older profile
  HeapValues growth{};          // newest minus oldest, same stacks
  std::vector<StackId> stacks;  // the site's matching stacks, largest first
  std::string evidence;         // why it fired, with the numbers
  std::string version_note;     // what the Go version means here, or ""
  std::string description;
  std::string fix;
};

}  // namespace gorleak
