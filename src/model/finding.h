// A classified leak: what the classify stage concludes about some groups of
// a snapshot, in the terms a person acts on (where, how many, how to fix).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/state.h"
#include "model/strings.h"

namespace gorleak {

enum class RuleSeverity : uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view severity_name(RuleSeverity s);  // "info" … "critical"
bool severity_from_name(std::string_view name, RuleSeverity* out);  // any case

enum class Confidence : uint8_t { kUnconfirmed, kLow, kMedium, kHigh };
std::string_view confidence_name(Confidence c);  // "unconfirmed" … "high"

struct SourceSite {
  StrId func = 0;  // 0 when unknown
  StrId file = 0;
  uint32_t line = 0;
};

// What a finding's severity rests on, strongest first. One dump can only
// suggest; wait minutes, the spawning pattern, the count, growth across a
// series and the runtime's own proof can confirm. The levels, and the
// severity each allows, are documented in rules/README.md ("Evidence"); the
// names are an interface (JSON `evidence_level`).
enum class EvidenceLevel : uint8_t {
  kProof,      // the runtime or the report proves it: (leaked), a goleak report, synctest
  kState,      // the wait itself can never end: nil channel, select {}
  kGrowth,     // a series shows the site grew and stayed
  kWait,       // blocked for minutes: not in flight, not a busy pool
  kSpawning,   // spawned per request: many distinct parents, or request handlers
  kCount,      // far more goroutines at one site than a pool of workers holds
  kSuspect,    // one dump, and the shape alone
  kPoolLike,   // the dump itself argues against a leak (a pool, live connections, work in flight)
  kWithdrawn,  // a series shows the groups flat or drained: not a leak
};
std::string_view evidence_level_name(EvidenceLevel e);  // "proof" … "withdrawn"
bool evidence_level_from_name(std::string_view name, EvidenceLevel* out);

struct Finding {
  std::string rule;   // rule id, e.g. "chan-send-blocked"
  std::string title;
  RuleSeverity severity = RuleSeverity::kMedium;
  Confidence confidence = Confidence::kMedium;
  uint64_t count = 0;  // goroutines covered
  std::string state;   // raw wait reason of the largest group
  StateCategory category = StateCategory::kUnknown;
  int64_t min_wait = -1;
  int64_t max_wait = -1;
  SourceSite site;        // first frame of the user's code (the leak site)
  bool site_in_stdlib = false;  // no user frame: site is the stdlib entry point
  SourceSite blocking;    // innermost frame
  SourceSite created_by;
  std::vector<uint32_t> groups;  // indices into Snapshot::groups
  std::string evidence;   // why the rule fired, one or two sentences
  std::string description;
  std::string fix;
  bool growth_confirmed = false;  // set by diff when the groups grew

  // Severity by evidence (classify/evidence.h): `severity` above is what the
  // evidence allows, `rule_severity` what the rule says the shape deserves
  // when it is a leak.
  RuleSeverity rule_severity = RuleSeverity::kMedium;
  EvidenceLevel evidence_level = EvidenceLevel::kSuspect;
  std::string evidence_basis;  // one sentence: what the severity rests on

  // The count in the user's unit, when a rule names one: an unread body
  // holds two goroutines, so 46 goroutines are "23 response bodies never
  // closed". units == 0: the rule has no unit (count is the only number).
  uint64_t units = 0;
  std::string unit;  // plural noun phrase, "response bodies never closed"

  // When the blocking happens inside a third-party library called from the
  // user's code (`site`): the library frame it blocks in. func 0: none.
  SourceSite library;

  // Set when this finding is a consequence of another one in the same
  // snapshot (a WaitGroup waiter whose workers are blocked elsewhere):
  // index into the snapshot's findings, and a sentence naming the cause.
  int32_t cause_finding = -1;
  std::string cause;

  // The finding's restart-proof identity (report/fingerprint.h), 16 hex
  // digits; empty until set_fingerprints() ran. Baselines match on it.
  std::string fingerprint;
};

}  // namespace gorleak
