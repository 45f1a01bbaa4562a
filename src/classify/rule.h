// A leak rule as loaded from a YAML file: what to match in a group of
// goroutines and what to tell the user when it matches. Plain data; the
// compiled form (RE2 sets) lives in rule_set.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/finding.h"
#include "model/heap_profile.h"
#include "model/state.h"

namespace gorleak {

// Where a rule came from, for `file:line:col` messages and `rules explain`.
struct RuleOrigin {
  std::string file;
  uint32_t line = 0;  // 1-based
  uint32_t column = 0;
};

// Which frame(s) of a group's stack a frame condition looks at.
enum class FrameScope : uint8_t {
  kAny,        // some frame of the stack
  kTop,        // one of the `depth` innermost frames (depth 1: the top frame)
  kUser,       // the leak site: first frame of the user's code
  kCreatedBy,  // the `created by` line
};
std::string_view frame_scope_name(FrameScope s);  // "any", "top", "user", "created_by"

// One `frames:` entry. Function and file patterns must match the same frame.
// Empty pattern = no constraint on that part.
struct FrameCondition {
  FrameScope scope = FrameScope::kAny;
  uint32_t depth = 1;  // kTop only
  std::string func;    // RE2, unanchored (write ^…$ to anchor)
  std::string file;    // RE2, unanchored
  bool negate = false;  // `not: true`: no frame in scope may match
  RuleOrigin origin;
};

// `state:` — the group's wait reason. Categories and reason are ANDed when
// both are given; an empty list / pattern is no constraint.
struct StateCondition {
  std::vector<StateCategory> categories;
  std::string reason;  // RE2 over the raw wait reason ("chan send (nil chan)")
  // The state alone carries the evidence (nil channel, `select {}`): never
  // skip it for debug=1 dumps, where no state is printed.
  bool strict = false;
  bool present() const { return !categories.empty() || !reason.empty(); }
};

enum class CountBy : uint8_t {
  kGroup,  // each group on its own must reach min_count
  kSite,   // groups sharing a leak site are summed
};

// `growth:` — between two dumps (diff). Ignored for a single dump unless
// `required`, in which case the rule never fires on a single dump.
struct GrowthCondition {
  bool present = false;
  uint64_t min_delta = 1;  // goroutines added at the site since the base dump
  bool required = false;
};

// Which frame a source condition reads around.
enum class SourceFrame : uint8_t { kSite, kTop };

// `source:` — a pattern over the lines around a frame's file:line, read from
// --source-root. Without the file, the finding is `unconfirmed`, unless the
// condition is `refute_only`.
struct SourceCondition {
  bool present = false;
  std::string pattern;  // RE2, matched against each line of the window
  SourceFrame frame = SourceFrame::kSite;
  uint32_t before = 2;  // lines before the frame's line
  uint32_t after = 8;   // lines after it
  // The frame's line must also run in a loop: it sits inside a `for` block
  // of its function, or a readable frame below it (its caller, and so on
  // down to the goroutine's entry) calls from inside one.
  bool in_loop = false;
  // Severity of the finding when the source could not be read.
  RuleSeverity unconfirmed_severity = RuleSeverity::kInfo;
  // The source can only rule the shape out (a one-shot sleep is not a
  // polling loop); it adds nothing the dump does not already weigh. Unread,
  // the finding is weighed on the dump's evidence like a rule without the
  // condition, not marked `unconfirmed`.
  bool refute_only = false;
};

// Whether the leak site must be user code or may be a stdlib entry point.
enum class SiteKind : uint8_t {
  kAny,
  kUser,    // the stack has a frame of the user's code
  kStdlib,  // it has none (unread bodies, unclosed rows, exec pipes)
  kTop,     // the user's frame is the top frame: user code itself blocks
};

// Who started the goroutines, by their `created by` line.
enum class SpawnerKind : uint8_t {
  kAny,
  kUser,    // user code ran `go f()`: a per-call goroutine of the program's own
  kStdlib,  // the standard library started it (http handlers, readLoops…)
};

// The healthy state that looks like this leak in a single dump. It decides
// what evidence the finding needs before it gets the rule's severity
// (classify/evidence.h, rules/README.md "Evidence").
enum class Lookalike : uint8_t {
  kNone,        // no healthy goroutine waits like this (nil channel, select {})
  kPool,        // long-lived workers or loops waiting for work: a pool, a background loop
  kInFlight,    // an operation that finishes soon when healthy (a request, a body being read)
  kSaturation,  // callers queued on a shared resource under load (a lock, a connection pool)
  kConnection,  // per-connection goroutines of live peers (read/write pumps)
};
std::string_view lookalike_name(Lookalike l);  // "none", "pool", "in-flight", "saturation", "connection"

// `unit:` — what one leaked thing costs in goroutines, so a finding can say
// "23 response bodies never closed (46 goroutines)". The rule's own match
// counts units (one goroutine each, e.g. the readLoop of an unread body);
// companions are the other goroutines each unit holds (its writeLoop), found
// among the groups no rule claimed and folded into the finding, at most
// `per_unit` goroutines per unit each.
struct UnitCompanion {
  std::vector<FrameCondition> frames;  // all must hold, as in `match`
  std::vector<StateCategory> categories;  // empty: any state
  uint64_t per_unit = 1;
  RuleOrigin origin;
};
struct UnitSpec {
  std::string name;  // plural noun phrase: "response bodies never closed"
  std::vector<UnitCompanion> companions;
  bool present() const { return !name.empty(); }
};

// `counter_evidence:` — goroutines elsewhere in the dump that show the
// matched ones are healthy: readers visibly consuming the bodies, each
// connection's reader alive in IO wait. When at least as many goroutines
// match `frames` (and `categories`) as the finding has units (or
// goroutines), the finding is demoted to pool-like with `says` as the
// reason. `same_creator`: only goroutines started by the same created-by
// function count.
struct CounterEvidence {
  std::vector<FrameCondition> frames;
  std::vector<StateCategory> categories;
  bool same_creator = false;
  std::string says;  // "their callers are reading the bodies"
  RuleOrigin origin;
};

struct MatchSpec {
  StateCondition state;
  std::vector<FrameCondition> frames;
  int64_t min_wait_minutes = -1;  // -1: no constraint
  uint64_t min_count = 1;
  CountBy count_by = CountBy::kSite;
  GrowthCondition growth;
  SourceCondition source;
  SiteKind site = SiteKind::kAny;
  SpawnerKind spawner = SpawnerKind::kAny;
  bool leaked = false;  // only goroutines marked "(leaked)"
};

// `heap.growth:` — between heap profiles (`gorleak heap diff`): how much
// the allocation site's in-use memory grew from the first profile to the
// newest. Ignored for a single profile unless `required`.
struct HeapGrowthCondition {
  bool present = false;
  int64_t min_inuse_space = 0;    // bytes
  int64_t min_inuse_objects = 0;  // objects
  bool required = false;
};

// `heap:` — a rule about the allocation sites of a heap profile instead of
// goroutine groups (heap/heap_rules.h evaluates it). A site is the first
// frame of the user's code on an allocation stack (or, with none, the
// stack's outermost frame); stacks matching `frames` are summed per site.
struct HeapMatchSpec {
  bool present = false;
  // Over the allocation stack, innermost (the allocating call) first. `top`
  // counts every frame, runtime ones included (runtime.makemap,
  // runtime.malg), because a heap stack starts where memory was allocated;
  // `user` is the site; `created_by` never matches.
  std::vector<FrameCondition> frames;
  HeapValue value = HeapValue::kInuseSpace;  // what min_value and min_share measure
  int64_t min_value = 0;   // the site's `value` at least this (bytes or objects)
  double min_share = 0;    // the site's share of the profile's total `value`, 0..1
  // The site still holds at least this fraction of the bytes it ever
  // allocated (inuse_space / alloc_space): near 1, nothing allocated there
  // was ever freed, the mark of a structure that only grows. 0: no limit.
  double min_retained = 0;
  HeapGrowthCondition growth;
  // The Go version the shape stopped leaking in is the rule's
  // `fixed_in_go` (Rule::fixed_in_go_minor), as for goroutine rules.
};

// A rule's own test: a dump (file path or inline text) and what the rule
// should (or should not) report on it.
struct RuleExample {
  std::string dump;     // path, relative to the rule file's directory or an ancestor
  // Heap rules: an older profile of the same program (`gorleak heap diff
  // BASE DUMP`), for growth conditions. Resolved like `dump`.
  std::string base;
  std::string snippet;  // inline dump text (instead of `dump`)
  bool expect_none = false;  // no finding of this rule above info
  int64_t count = -1;        // expected goroutine count, -1: not checked
  std::string site;          // expected leak-site function, "": not checked
  std::string confidence;    // expected confidence name, "": not checked
  std::string severity;      // expected severity name, "": not checked
  std::string evidence;      // expected evidence level name, "": not checked
  std::vector<std::string> source_roots;  // for rules with a source condition
  std::vector<std::string> modules;
  RuleOrigin origin;
};

struct Rule {
  std::string id;
  std::string title;
  RuleSeverity severity = RuleSeverity::kMedium;
  Confidence confidence = Confidence::kMedium;  // before adjustments
  std::string description;
  std::string fix;
  // For leaks with no user frame: how to find the user code that caused it.
  std::string caller_hint;
  // Evaluation order, highest first (ties: load order). A group reported by
  // a rule above `info` is claimed: lower-priority rules no longer see it, so
  // a specific rule wins over a generic one and each group is explained once.
  int priority = 50;
  MatchSpec match;  // goroutine rules
  HeapMatchSpec heap;  // heap rules (heap.present); such a rule has no `match`
  Lookalike lookalike = Lookalike::kNone;
  UnitSpec unit;
  std::vector<CounterEvidence> counter_evidence;
  // `waits_for: siblings`: the goroutines wait for others started by the
  // same parent (a WaitGroup's workers). When those are alive and blocked,
  // this finding is a consequence of theirs and points at them.
  bool waits_for_siblings = false;
  // `fixed_in_go: "1.23"`: the shape stopped leaking in that Go release (its
  // minor number here); dumps (and heap profiles) known to come from it or
  // later get `info`.
  uint32_t fixed_in_go_minor = 0;
  std::vector<RuleExample> examples;
  RuleOrigin origin;
  bool builtin = false;
};

// What a rule file says about functions besides its rules: the roles the
// evidence stage weighs (classify/evidence.h), as RE2 function patterns.
struct FunctionRoles {
  // `request_handlers:` — functions that serve one request
  // (net/http.(*conn).serve, grpc's handleStream…): a goroutine running one
  // of them spawns per request, and many parked at once are requests in
  // flight.
  std::vector<std::string> request_handlers;
  // `client_watchers:` — functions a server runs beside a request only
  // while its client is still connected (net/http's background read of
  // the connection): as many of them as parked handlers means the clients
  // still wait for those handlers.
  std::vector<std::string> client_watchers;
  void append(FunctionRoles more);
};

}  // namespace gorleak
