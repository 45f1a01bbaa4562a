#include "classify/evidence.h"

#include <algorithm>

#include <fmt/format.h>

namespace gorleak {

namespace {

RuleSeverity at_least(RuleSeverity s, RuleSeverity floor) { return std::max(s, floor); }
RuleSeverity at_most(RuleSeverity s, RuleSeverity ceiling) { return std::min(s, ceiling); }

EvidenceVerdict verdict(RuleSeverity s, EvidenceLevel l, std::string basis) {
  return EvidenceVerdict{s, l, std::move(basis)};
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// What one dump cannot tell, per look-alike: the sentence that ends a
// suspect verdict.
std::string lookalike_doubt(Lookalike l, uint64_t count) {
  switch (l) {
    case Lookalike::kPool:
      return fmt::format("a pool of {} or a long-lived loop looks the same", count);
    case Lookalike::kInFlight:
      return "work in flight looks the same for a moment";
    case Lookalike::kSaturation:
      return "a pool or lock saturated under load looks the same";
    case Lookalike::kConnection:
      return "live connections look the same";
    case Lookalike::kNone:
      break;
  }
  return "";
}

// Many goroutines at one site, with as many at other sites of the user's
// code: one goroutine of each kind per live object.
EvidenceVerdict family(const EvidenceInput& in, RuleSeverity wanted) {
  return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kPoolLike,
                 fmt::format("{} at this site and about as many at {} other sites of your code: the "
                             "workers of about {} live objects (connections, consumers), one of each "
                             "kind per object; a series would tell whether the objects leak",
                             in.count, in.family_sites, in.count));
}

}  // namespace

bool ids_form_one_burst(uint64_t lowest, uint64_t highest, uint64_t goroutines) {
  if (lowest == 0 || highest < lowest || goroutines < 3) return false;
  const uint64_t span = highest - lowest + 1;
  // Go's per-processor id batches (runtime._GoidCacheBatch).
  constexpr uint64_t kIdBatch = 16;
  return span >= goroutines && span - goroutines <= kIdBatch + goroutines / 4;
}

EvidenceVerdict weigh_evidence(const EvidenceInput& in) {
  const Rule& rule = *in.rule;
  const RuleSeverity wanted = rule.severity;
  const uint64_t n = in.count;
  const std::string them = plural(n, "goroutine", "goroutines");

  // Proof outranks everything: the runtime or the report says so.
  if (in.report != LeakReport::kNone) {
    std::string_view why;
    switch (in.report) {
      case LeakReport::kGoleak:
        why = "proof: a goleak report lists only goroutines that outlived the test";
        break;
      case LeakReport::kSynctest:
        why = "proof: synctest reports a bubble whose goroutines are blocked durably, with "
              "nothing in it left to wake them";
        break;
      case LeakReport::kDeadlock:
        why = "proof: the runtime found every goroutine asleep (\"all goroutines are asleep - "
              "deadlock!\"): none can ever run again";
        break;
      case LeakReport::kNone:
        break;
    }
    return verdict(RuleSeverity::kCritical, EvidenceLevel::kProof, std::string(why));
  }
  if (in.leaked > 0 && in.leaked == n) {
    return verdict(RuleSeverity::kCritical, EvidenceLevel::kProof,
                   fmt::format("proof: the runtime's goroutineleak profile marked all {} (leaked)", n));
  }
  if (in.leaked > 0) {
    return verdict(at_least(wanted, RuleSeverity::kHigh), EvidenceLevel::kProof,
                   fmt::format("proof for part: the runtime marked {} of the {} (leaked)", in.leaked, n));
  }

  // A release that fixed the mechanism: the dump says which Go it came from.
  if (rule.fixed_in_go_minor != 0 && in.go.min_minor >= rule.fixed_in_go_minor) {
    return verdict(RuleSeverity::kInfo, EvidenceLevel::kWithdrawn,
                   fmt::format("not a leak since Go 1.{}, and this dump comes from Go 1.{} or later ({})",
                               rule.fixed_in_go_minor, in.go.min_minor, in.go.basis));
  }

  // A series decides for itself: what grew and stayed is a leak, what is
  // flat or drained is not, whatever one dump suggested.
  if (in.series == SeriesVerdict::kGrew) {
    return verdict(at_least(wanted, RuleSeverity::kHigh), EvidenceLevel::kGrowth,
                   fmt::format("growth: the site went from {} to {} across the series", in.series_before, n));
  }
  if (in.series == SeriesVerdict::kFlat) {
    return verdict(RuleSeverity::kInfo, EvidenceLevel::kWithdrawn,
                   fmt::format("withdrawn: the series shows {} flat or drained, not growing", them));
  }

  if (rule.lookalike == Lookalike::kNone)
    return verdict(wanted, EvidenceLevel::kState,
                   rule.match.source.present ? "the source line confirms the shape"
                                             : "the wait itself can never end");

  // Counter-evidence from the rest of the dump.
  if (!in.counter.empty())
    return verdict(RuleSeverity::kInfo, EvidenceLevel::kPoolLike, "not a leak by the dump: " + in.counter);
  const SpawnFacts& sp = in.spawn;
  const bool stuck = in.max_wait >= kStuckMinutes;
  // Parents still inside the function that started them, waiting: work in
  // flight as much as a leak (a hung fan-out looks the same).
  const EvidenceVerdict in_flight =
      verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kPoolLike,
              "work in flight: the goroutines that started them are still inside the function that "
              "did, waiting");
  switch (rule.lookalike) {
    case Lookalike::kPool: {
      // Request handlers are no pool: many parked at once are requests in
      // flight (long polls wait on a Cond or a channel the same way), and
      // they come one per connection, whatever their ids say.
      if (sp.all_serve_requests) {
        if (stuck)
          return verdict(wanted, EvidenceLevel::kWait,
                         fmt::format("wait: requests parked for up to {} minutes", in.max_wait));
        return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kPoolLike,
                       fmt::format("requests in flight: each of the {} serves a request, and a long "
                                   "poll waits the same way; minutes in the state or a series "
                                   "(gorleak diff) would tell",
                                   them));
      }
      // One burst from one goroutine is how a pool starts, and how a
      // fan-out that leaks starts too: named, but low. A fan-out leaks once
      // per request, so past a small pool the burst must come from a
      // goroutine that outlives it and serves no request (main, a server's
      // start-up): a leak that grows needs a burst per request, and those
      // interleave with the goroutines serving the requests. Before Go
      // 1.21 no parent is named: no request may be running the function
      // that started the burst.
      if (sp.one_burst && sp.parents_known && sp.distinct_parents == 1 &&
          (n <= kLargestPool || sp.burst_parent_lives))
        return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kPoolLike,
                       fmt::format("looks like a pool of {}: one goroutine started them all at once{}; "
                                   "a series (gorleak diff) would tell",
                                   n, sp.burst_parent_lives ? " and still runs" : ""));
      if (sp.one_burst && !sp.parents_known && sp.burst_outside_requests)
        return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kPoolLike,
                       fmt::format("looks like a pool of {}: started all at once, outside any "
                                   "request; a series (gorleak diff) would tell",
                                   n));
      if (n >= kCountEvidence && in.family_sites >= kFamilySites) return family(in, wanted);
      if (n >= kCountEvidence && sp.ids_known)
        return verdict(at_least(wanted, RuleSeverity::kMedium), EvidenceLevel::kCount,
                       fmt::format("count: {} at one site, not a pool that one lasting goroutine started at "
                                   "once",
                                   them));
      // A count profile prints neither ids nor creators: a big pool and a
      // leak of that size are the same line, up to sizes no pool reaches.
      if (n >= kCountProfileEvidence)
        return verdict(at_least(wanted, RuleSeverity::kMedium), EvidenceLevel::kCount,
                       fmt::format("count: {} at one site; a count profile (debug=1) cannot show how "
                                   "they were started, but no pool of workers is that big",
                                   them));
      if (n >= kCountEvidence)
        return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kSuspect,
                       fmt::format("one dump: {} at one site; a count profile (debug=1) shows no goroutine "
                                   "ids or creators, so a pool started at once looks the same; a debug=2 "
                                   "dump or a series (gorleak diff) would tell",
                                   them));
      if (sp.creator_waiting) return in_flight;
      if (sp.parents_known && (sp.distinct_parents >= kManyParents || sp.handler_parents > 0))
        return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kSpawning,
                       fmt::format("spawning: started by {} (per request, it seems); a lazily "
                                   "started pool spawns the same way, a series would tell",
                                   sp.handler_parents > 0
                                       ? plural(sp.handler_parents, "goroutine serving requests",
                                                "goroutines serving requests")
                                       : fmt::format("{} different goroutines", sp.distinct_parents)));
      break;
    }
    case Lookalike::kInFlight:
      if (stuck)
        return verdict(wanted, EvidenceLevel::kWait,
                       fmt::format("wait: blocked for up to {} minutes; work in flight does not wait "
                                   "that long",
                                   in.max_wait));
      if (sp.creator_deadlocked)
        return verdict(wanted, EvidenceLevel::kState,
                       "deadlock: the goroutines that started them wait for them in "
                       "sync.(*WaitGroup).Wait, so cannot receive what they send, and they started "
                       "no other goroutine that could");
      // Waiting on a WaitGroup for their own workers, which are in the
      // dump: whether the workers ever finish is the question, and their
      // own finding answers it.
      if (sp.parents_of_live)
        return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kPoolLike,
                       "coordinators: each waits for goroutines it started, which are still in the "
                       "dump; what those wait on decides");
      // Handlers whose clients still wait for the answer: a busy server
      // (a proxy waiting on its upstream) parks hundreds this way. A hung
      // handler outlives its client, whose timeout or user gives up.
      if (sp.clients_waiting)
        return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kPoolLike,
                       fmt::format("requests in flight: each of the {} serves a request whose client "
                                   "is still connected; minutes in the state or a series (gorleak "
                                   "diff) would tell",
                                   them));
      if (n >= kCountEvidence && in.family_sites >= kFamilySites) return family(in, wanted);
      if (n >= kCountEvidence)
        return verdict(at_least(wanted, RuleSeverity::kMedium), EvidenceLevel::kCount,
                       fmt::format("count: {} at one site", them));
      if (sp.creator_waiting) return in_flight;
      if (sp.creator_returned)
        return verdict(at_most(wanted, RuleSeverity::kMedium), EvidenceLevel::kSpawning,
                       "abandoned: the function that started them has returned, so nothing waits "
                       "for what they are blocked on");
      break;
    case Lookalike::kSaturation:
      if (stuck)
        return verdict(wanted, EvidenceLevel::kWait,
                       fmt::format("wait: queued for up to {} minutes; a pool under load turns over "
                                   "faster",
                                   in.max_wait));
      return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kSuspect,
                     fmt::format("saturation: {} queue for a shared resource; minutes in the state, a "
                                 "series or an after-load dump would show it stuck",
                                 them));
    case Lookalike::kConnection:
    case Lookalike::kNone:
      break;
  }
  return verdict(at_most(wanted, RuleSeverity::kLow), EvidenceLevel::kSuspect,
                 fmt::format("one dump: {} at one site; {}; a series (gorleak diff) would tell", them,
                             lookalike_doubt(rule.lookalike, n)));
}

}  // namespace gorleak
