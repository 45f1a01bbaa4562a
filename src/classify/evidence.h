// Severity by evidence. A rule says what its shape deserves when it is a
// leak (`severity`); how sure gorleak can be depends on what else is known,
// and the finding's severity follows that:
//
//   proof     the runtime marked them (leaked), or the dump is a goleak or
//             synctest report, which lists only goroutines that should not
//             exist, or the runtime's deadlock report, whose goroutines can
//             never run again                             -> critical
//   state     the wait can never end (nil channel, select {}, senders
//             whose parents wait for them on a WaitGroup) -> the rule's
//   growth    a series shows the site grew and stayed     -> at least high
//   withdrawn a series shows it flat or drained, or the Go release the dump
//             comes from no longer leaks this way         -> info
//   wait      blocked for minutes, for shapes whose healthy twin finishes
//             soon (a request, a queue under load)        -> the rule's
//   count     100 or more at one site, not one start-up burst (1000 or more
//             in a count profile, which shows no ids) -> at least medium
//   spawning  the function that started them returned (work abandoned), or
//             many request goroutines each started some   -> medium at most
//   suspect   one dump and the shape alone               -> low
//   pool-like the dump argues against a leak: one goroutine started them
//             all at once (a pool of up to 64, or of any size when that
//             goroutine still runs and serves no request: low), their
//             parents still wait for them (work in flight: low), as many
//             goroutines of two or more other kinds run beside them (one of
//             each per live object: low), each has a live peer reading the
//             network (connections: info), the rule's own
//             counter-evidence holds (info), they are request handlers
//             parked at once (requests in flight: low), request handlers
//             whose clients are still connected (requests in flight: low)
//             or coordinators waiting on a WaitGroup for live workers (low)
//
// Which of these a rule can reach depends on its healthy look-alike
// (Rule::lookalike); rules/README.md ("Evidence") is the user-facing table.
// The verdict never raises a finding above critical or lowers it below info,
// and `basis` says in one sentence what it rests on.
#pragma once

#include <cstdint>
#include <string>

#include "classify/rule.h"
#include "model/finding.h"
#include "model/snapshot.h"

namespace gorleak {

// Who started a finding's goroutines (Go >= 1.21 prints `in goroutine N`).
struct SpawnFacts {
  bool parents_known = false;     // the dump names parent goroutines
  uint64_t distinct_parents = 0;  // a lower bound when the spawn tables overflowed
  uint64_t largest_share = 0;     // children of the parent that started most
  uint64_t handler_parents = 0;   // parents alive in the dump, serving a request
  uint64_t alive_parents = 0;     // parents still in the dump
  // Parents still inside the function that started the goroutines (before
  // Go 1.21: that function is still on some stack): they wait for them.
  bool creator_waiting = false;
  bool creator_returned = false;  // known to have left it (all parents checked)
  // They all wait to send, and the goroutines that started them wait for
  // them in sync.(*WaitGroup).Wait, inside the function that started them,
  // and started no other goroutine: nothing can receive what they send
  // (results collected after wg.Wait()).
  bool creator_deadlocked = false;
  // Every one of them serves a request (net/http's handler goroutines and
  // the like, rules' request_handlers): requests in flight, not a pool.
  bool all_serve_requests = false;
  // Every one of them serves a request, and at least as many goroutines
  // watch a connected client (rules' client_watchers: net/http reads each
  // connection in the background while its handler runs, and stops when
  // the client leaves): their clients still wait for them.
  bool clients_waiting = false;
  // Parked on a WaitGroup, with at least as many live goroutines started by
  // their own functions: coordinators waiting for their workers, whatever
  // became of the function that started them.
  bool parents_of_live = false;
  // The groups carry goroutine ids (not a count profile: debug=1 and the
  // protobuf form print none).
  bool ids_known = false;
  // The goroutines' ids form one run of creation: between the first and the
  // last, little else was started. Go hands out ids in creation order, in
  // batches of 16 per processor, so a loop that starts n goroutines at once
  // spans n ids plus a few batch gaps, while goroutines started one per
  // request or per connection are interleaved with the goroutines that
  // serve those (net/http starts one per connection and one per request).
  bool one_burst = false;
  // The burst's one parent is still in the dump and serves no request: a
  // lifetime goroutine (main, a server's start-up) started a fixed set.
  bool burst_parent_lives = false;
  // Before Go 1.21, which names no parent: no goroutine serving a request
  // runs the function that started the burst.
  bool burst_outside_requests = false;
};

// How far a burst's ids may spread: the batch gaps of other processors
// starting goroutines at the same moment.
bool ids_form_one_burst(uint64_t lowest, uint64_t highest, uint64_t goroutines);

// What a series (diff, trend, watch) says about the finding's groups.
enum class SeriesVerdict : uint8_t { kNone, kGrew, kFlat };

struct EvidenceInput {
  const Rule* rule = nullptr;
  uint64_t count = 0;             // goroutines
  uint64_t leaked = 0;            // of them marked (leaked)
  LeakReport report = LeakReport::kNone;
  int64_t max_wait = -1;          // minutes, -1: not printed
  SpawnFacts spawn;
  std::string counter;            // counter-evidence that held ("" none)
  // Other sites of the user's code holding about as many goroutines
  // (within 2%): the workers of as many live objects, each object running
  // one goroutine of every kind (consumers, connections, shards).
  uint64_t family_sites = 0;
  SeriesVerdict series = SeriesVerdict::kNone;
  uint64_t series_before = 0;     // count in the base dump
  GoVersionRange go;
};

struct EvidenceVerdict {
  RuleSeverity severity = RuleSeverity::kLow;
  EvidenceLevel level = EvidenceLevel::kSuspect;
  std::string basis;
};

// Thresholds of the table above, documented in rules/README.md.
inline constexpr uint64_t kCountEvidence = 100;   // goroutines at one site
// In a count profile, which cannot show how they were started: thousands
// at one site outgrow any pool of workers (pools are sized by cores or
// configuration; thousands of live connections show their readers).
inline constexpr uint64_t kCountProfileEvidence = 1000;
inline constexpr uint64_t kLargestPool = 64;      // one creator at once, whatever became of it
inline constexpr int64_t kStuckMinutes = 5;       // wait evidence
inline constexpr uint64_t kManyParents = 4;       // per-request spawning
inline constexpr uint64_t kFamilySites = 2;       // other sites with the same count

EvidenceVerdict weigh_evidence(const EvidenceInput& in);

}  // namespace gorleak
