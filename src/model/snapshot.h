// One goroutine dump, grouped. A file may hold several dumps (concatenated
// profiles, repeated SIGQUITs); each becomes one Snapshot.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "model/finding.h"
#include "model/stack.h"
#include "model/state.h"

namespace gorleak {

enum class Form : uint8_t {
  kDebug1,         // pprof goroutine?debug=1
  kDebug2,         // debug=2, runtime.Stack(all)
  kCrash,          // panic, fatal error, SIGQUIT, test timeout
  kGoroutineLeak,  // goroutineleak profile, either debug level
  kProto,          // pprof goroutine (or goroutineleak) profile in protobuf form
};
// "debug1", "debug2", "crash", "goroutineleak", "proto"
std::string_view form_name(Form f);

// Count profiles: a count per distinct stack, with no goroutine ids, no
// `created by` lines and no printed states (debug=1 text and the protobuf
// form). A goroutineleak snapshot may be either; see is_count_profile in
// diff/signature.h for that case.
inline bool is_count_form(Form f) { return f == Form::kDebug1 || f == Form::kProto; }

// The ids of a group's first goroutines, at most kMax, in input order. Held
// inline: a dump of 300,000 distinct stacks has 300,000 groups of one
// goroutine, and a vector would allocate for each.
class SampleIds {
 public:
  static constexpr size_t kMax = 5;

  // Ids past the first kMax are not kept.
  void push_back(uint64_t id) {
    if (size_ < kMax) ids_[size_++] = id;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint64_t operator[](size_t i) const { return ids_[i]; }
  const uint64_t* begin() const { return ids_.data(); }
  const uint64_t* end() const { return ids_.data() + size_; }
  friend bool operator==(const SampleIds& a, const SampleIds& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::array<uint64_t, kMax> ids_{};
  uint8_t size_ = 0;
};

// Goroutines sharing one state and one stack.
struct Group {
  StackId stack = 0;
  StrId state = 0;  // base wait reason, interned
  StateCategory category = StateCategory::kUnknown;
  bool state_inferred = false;
  uint64_t count = 0;
  uint64_t leaked = 0;  // how many carried "(leaked)"
  uint64_t locked_to_thread = 0;
  int64_t min_wait = -1;  // minutes; -1 when no goroutine printed any
  int64_t max_wait = -1;
  uint64_t first_line = 0;  // input line of the first goroutine seen
  // The lowest and highest goroutine id in the group (0: the form prints
  // none). Go numbers goroutines in the order it creates them, so the span
  // tells one burst of creation from goroutines started over a lifetime
  // (classify/evidence.h, SpawnFacts::one_burst).
  uint64_t lowest_id = 0;
  uint64_t highest_id = 0;
  SampleIds sample_ids;
  std::string labels;  // labels of the first goroutine that had any
  static constexpr size_t kMaxSamples = SampleIds::kMax;
};

// Goroutines created by one spawn site, per parent goroutine when known.
struct SpawnEdge {
  uint64_t parent_id = 0;  // 0 + !has_parent: parent unknown (pre-1.21 dump)
  bool has_parent = false;
  StrId func = 0;  // created-by function
  StrId file = 0;
  uint32_t line = 0;
  uint32_t group = 0;  // index into Snapshot::groups of the children
  uint64_t count = 0;
};

// A goroutine that spawned others, with its own group (Go 1.21+ dumps).
struct SpawnerInfo {
  uint64_t id = 0;
  uint32_t group = 0;
};

// The Go versions a dump can come from, as far as the dump itself tells
// (GOROOT paths such as go-1.19, the wait-reason vocabulary, `in goroutine
// N`, where labels sit). Minor versions of Go 1.x; 0 is an open bound.
struct GoVersionRange {
  uint32_t min_minor = 0;
  uint32_t max_minor = 0;
  std::string basis;  // what the range rests on, one phrase, for the report
  bool known() const { return min_minor != 0 || max_minor != 0; }
};
// "1.22–1.23", "1.19", "≥1.22", "≤1.20"; "" when not known(). Bounds alone:
// go_version_bound(r.min_minor) = "1.22", "" for an open bound.
std::string go_version_text(const GoVersionRange& r);
std::string go_version_bound(uint32_t minor);

// Reports that list only goroutines that should not exist, or that can
// never run again, so that each one is a leak by definition (count
// thresholds do not apply).
enum class LeakReport : uint8_t {
  kNone,      // a process's dump: goroutines of every kind
  kGoleak,    // goleak: "found unexpected goroutines"
  kSynctest,  // synctest: "main bubble goroutine has exited but blocked goroutines remain"
  // The runtime's "fatal error: all goroutines are asleep - deadlock!": it
  // found no goroutine that could run and no timer that could wake one.
  kDeadlock,
};
std::string_view leak_report_name(LeakReport r);  // "none", "goleak", "synctest", "deadlock"

struct Snapshot {
  Form form = Form::kDebug2;
  std::string source;       // input file name, "-" for stdin
  uint64_t first_line = 0;  // where this dump starts in the input
  uint64_t last_line = 0;
  std::string cause;  // "panic: boom", "fatal error: …", "SIGQUIT: quit"
  std::optional<uint64_t> declared_total;  // "total N" header
  uint64_t total = 0;  // goroutines read (debug=1: sum of counts)
  uint64_t leaked = 0;
  uint64_t skipped_lines = 0;
  bool truncated = false;
  // The highest goroutine id in the dump (0: the form prints no ids). Go
  // never reuses an id within a process, and each fetch of a pprof
  // endpoint is served by a new goroutine, so a much lower maximum in a
  // later dump of the same service means it restarted (diff/growth.h).
  uint64_t max_goroutine_id = 0;
  // Identical records of the same event folded into this one (a
  // crash-looping service logs the same panic again and again;
  // group/repeat_fold.h), and the first line of the last of them.
  uint64_t repeats = 0;
  uint64_t last_repeat_line = 0;
  StateCounts states{};
  std::vector<Group> groups;
  std::vector<SpawnEdge> spawns;
  std::vector<SpawnerInfo> spawners;
  GoVersionRange go_version;
  LeakReport leak_report = LeakReport::kNone;
  std::vector<Finding> findings;  // filled by the classify stage
  // Findings a baseline or suppression file accepted (suppress/): taken out
  // of `findings` before any report, which only says how many.
  uint64_t suppressed_findings = 0;
  std::vector<Diagnostic> diagnostics;
};

}  // namespace gorleak
