// Single-dump verdicts, class by class (issue 12), on real dumps of the
// corpus's services and of public issue trackers: rule, leak site, count in
// goroutines and in the rule's unit, severity, evidence level, the library
// frame the user's code called and the cause a consequence points at. The
// whole corpus is held to its ground truth in test_rules_corpus.cpp; this
// file pins what each class of the issue must look like.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "classify/classifier.h"
#include "classify/source_lookup.h"
#include "test_support.h"

using namespace gorleak;
namespace fs = std::filesystem;

namespace {

struct Verdicts {
  std::unique_ptr<test::Loaded> loaded;
  std::string str(StrId id) const { return std::string(loaded->catalog.str(id)); }
  const Snapshot& snap() const { return loaded->result.snapshots.front(); }
  const Finding* find(const std::string& rule) const {
    for (const Finding& f : snap().findings)
      if (f.rule == rule) return &f;
    return nullptr;
  }
  std::string describe() const {
    std::string out;
    for (const Finding& f : snap().findings)
      out += fmt::format("\n  {} count={} units={} site={} {} [{}]", f.rule, f.count, f.units,
                         str(f.site.func), severity_name(f.severity), evidence_level_name(f.evidence_level));
    return out.empty() ? " (no findings)" : out;
  }
  RuleSeverity loudest() const {
    RuleSeverity s = RuleSeverity::kInfo;
    for (const Finding& f : snap().findings) s = std::max(s, f.severity);
    return s;
  }
};

// Classifies one dump as `gorleak DUMP` would from the program's checkout:
// the program's source is found, guarded, in its own folder.
Verdicts verdicts(const fs::path& dump, const std::string& program = "") {
  Verdicts v;
  v.loaded = test::load(dump);
  REQUIRE_MESSAGE(v.loaded->result.ok, dump.string());
  REQUIRE(!v.loaded->result.snapshots.empty());
  std::vector<std::string> roots;
  if (!program.empty()) roots.push_back((test::source_dir() / "corpus/programs" / program).string());
  SourceLookup source(roots, /*guarded=*/true);
  ClassifyOptions opt;
  opt.source = &source;
  Classifier c(v.loaded->catalog, test::builtin_rule_set(), opt);
  for (Snapshot& s : v.loaded->result.snapshots) c.classify(s);
  return v;
}

fs::path dump(const std::string& name) { return test::corpus_dumps_dir() / name; }

bool have(const std::string& name) { return fs::exists(dump(name)); }

struct Expected {
  const char* dump;
  const char* program;  // source folder, "" for none
  const char* rule;
  const char* site;
  uint64_t count;
  uint64_t units;  // 0: the rule has no unit
  RuleSeverity severity;
  EvidenceLevel level;
  const char* library;  // "" when none is expected
};

void check(const Expected& e) {
  std::string name = e.dump;
  CAPTURE(name);
  if (!have(e.dump)) {
    MESSAGE("not in this checkout: ", e.dump);
    return;
  }
  Verdicts v = verdicts(dump(e.dump), e.program);
  const Finding* f = v.find(e.rule);
  REQUIRE_MESSAGE(f != nullptr, e.rule, v.describe());
  CHECK(v.str(f->site.func) == e.site);
  CHECK(f->count == e.count);
  CHECK(f->units == e.units);
  CHECK_MESSAGE(f->severity == e.severity, f->evidence_basis);
  CHECK_MESSAGE(f->evidence_level == e.level, f->evidence_basis);
  CHECK(v.str(f->library.func) == e.library);
  CHECK_FALSE(f->evidence_basis.empty());
}

}  // namespace

TEST_CASE("leaks of real services: rule, site, counts, severity and the evidence it rests on") {
  using S = RuleSeverity;
  using L = EvidenceLevel;
  const Expected cases[] = {
      // 100+ at one user site from one dump: medium or above, on count.
      {"svc-quotes-leak.go1.22.debug2.txt", "svc-quotes", "chan-send-blocked", "main.(*QuoteService).ask", 128,
       0, S::kHigh, L::kCount, ""},
      // The same in debug=1: the source line shows the send.
      {"svc-quotes-leak.go1.19.debug1.txt", "svc-quotes", "chan-send-blocked", "main.(*QuoteService).ask", 128,
       0, S::kHigh, L::kCount, ""},
      // 240 started one per request beside a farm of 192 started at once:
      // the count confirms, in every form that prints ids.
      {"svc-render-leak.go1.19.debug2.txt", "svc-render", "chan-receive-never-closed",
       "main.(*Farm).progress", 240, 0, S::kMedium, L::kCount, ""},
      {"svc-render-leak.go1.22.sigquit.txt", "svc-render", "chan-receive-never-closed",
       "main.(*Farm).progress", 240, 0, S::kMedium, L::kCount, ""},
      // Per-session refreshers pausing in a helper that a for loop calls:
      // the source shows the loop, the count confirms.
      {"svc-cache-leak.go1.22.debug2.txt", "svc-cache", "sleep-poller", "main.(*Cache).pause", 200, 0,
       S::kMedium, L::kCount, "time.Sleep"},
      // Raw TCP reads with no deadline, one per request, to a hung daemon:
      // named, but a live connection looks the same in one dump.
      {"svc-stock-leak.go1.22.debug2.txt", "svc-stock", "net-read-no-deadline", "main.(*Inventory).refresh",
       120, 0, S::kLow, L::kSuspect, "bufio.(*Reader).ReadString"},
      // A count profile shows no ids: named, but the count cannot confirm.
      {"svc-render-leak.go1.22.debug1.txt", "svc-render", "chan-receive-never-closed",
       "main.(*Farm).progress", 240, 0, S::kLow, L::kSuspect, ""},
      // The runtime proves it: critical.
      {"svc-quotes-leak.go1.27.leak2.txt", "svc-quotes", "chan-send-blocked", "main.(*QuoteService).ask", 128,
       0, S::kCritical, L::kProof, ""},
      // The leak sits in a library: the site is the user's function, the
      // library entry it called is shown, three goroutines per push.
      {"prom-push-leak.go1.22.debug2.txt", "prom-push", "http-client-no-timeout",
       "main.(*ExportService).publishMetrics", 327, 109, S::kMedium, L::kCount,
       "github.com/prometheus/client_golang/prometheus/push.(*Pusher).Push"},
      {"h2-relay-leak.go1.27.debug1.txt", "h2-relay", "http2-client-no-timeout", "main.(*Relay).deliver", 226,
       113, S::kMedium, L::kCount, "golang.org/x/net/http2.(*Transport).RoundTrip"},
      // Units: 23 bodies, each with its writeLoop.
      {"body-leak.go1.22.debug2.txt", "body-leak", "unclosed-response-body", "net/http.(*persistConn).readLoop",
       46, 23, S::kLow, L::kSuspect, ""},
      // Stdlib-internal leaks with no frame of the user's.
      {"pq-tenants-leak.go1.19.after.debug2.txt", "pq-tenants", "sql-db-per-call",
       "database/sql.(*DB).connectionOpener", 150, 150, S::kHigh, L::kCount, ""},
      {"svc-jobs-leak.go1.27.sigquit.txt", "svc-jobs", "context-custom-parent",
       "context.(*cancelCtx).propagateCancel.func2", 32, 0, S::kLow, L::kSuspect, ""},
      // The function that started them returned: abandoned, medium.
      {"svc-transcode-leak.go1.19.debug2.txt", "svc-transcode", "io-pipe-not-closed",
       "main.(*Transcoder).checksum", 29, 0, S::kMedium, L::kSpawning, "io.Copy"},
      // Connection-shaped: dead peers look like live ones in one dump.
      {"ws-hub-leak.go1.27.after.debug2.txt", "ws-hub", "websocket-no-read-deadline", "main.(*Client).readPump",
       114, 114, S::kLow, L::kSuspect, "github.com/gorilla/websocket.(*Conn).ReadMessage"},
      {"redis-tracker-leak.go1.22.after.debug2.txt", "redis-tracker", "redis-pubsub-not-closed",
       "main.(*Tracker).listen", 101, 101, S::kLow, L::kSuspect,
       "github.com/gomodule/redigo/redis.PubSubConn.Receive"},
      // Source read by default: ticker loops and context waits by name.
      {"svc-session-leak.go1.22.after.debug2.txt", "svc-session", "ticker-without-stop",
       "main.(*Session).heartbeat", 31, 0, S::kLow, L::kSpawning, ""},
      // Version-aware: time.After in a loop leaks before Go 1.23 only.
      {"time-after-loop.go1.19.debug2.txt", "time-after-loop", "time-after-in-loop", "main.eventLoop", 3, 0,
       S::kMedium, L::kState, ""},
      {"time-after-loop.go1.27.debug2.txt", "time-after-loop", "time-after-in-loop", "main.eventLoop", 3, 0,
       S::kInfo, L::kWithdrawn, ""},
      // Results read only after wg.Wait(): each repricing's lookups wait to
      // send, its repricer waits for them. Below the count threshold, the
      // deadlock itself is the evidence (parents named or not); the
      // repricers are coordinators of workers still in the dump.
      {"svc-pricing-leak.go1.22.debug2.txt", "svc-pricing", "chan-send-blocked",
       "main.(*Repricer).reprice.func1", 60, 0, S::kHigh, L::kState, ""},
      {"svc-pricing-leak.go1.19.sigquit.txt", "svc-pricing", "chan-send-blocked",
       "main.(*Repricer).reprice.func1", 60, 0, S::kHigh, L::kState, ""},
      {"svc-pricing-leak.go1.27.debug2.txt", "svc-pricing", "waitgroup-never-done", "main.(*Repricer).reprice",
       20, 0, S::kLow, L::kPoolLike, "sync.(*WaitGroup).Wait"},
      // time.AfterFunc callbacks (created by time.goFunc) stuck on a
      // dispatcher that gave up; handlers behind http.TimeoutHandler left
      // parked after its 503.
      {"svc-remind-leak.go1.22.debug2.txt", "svc-remind", "chan-send-blocked", "main.(*Dispatcher).hand", 119, 0,
       S::kHigh, L::kCount, ""},
      {"svc-remind-leak.go1.19.sigquit.txt", "svc-remind", "handler-outlived-timeout", "main.(*Digests).render",
       120, 0, S::kMedium, L::kCount, ""},
      // Gateway handlers waiting on a hung upstream after their callers
      // hung up: no background read of their connections is left.
      {"svc-gateway-leak.go1.19.debug2.txt", "svc-gateway", "http-client-no-timeout", "main.(*Gateway).quote",
       360, 120, S::kMedium, L::kCount, "net/http.(*Client).Get"},
      {"svc-gateway-leak.go1.27.debug1.txt", "svc-gateway", "http-client-no-timeout", "main.(*Gateway).quote",
       360, 120, S::kMedium, L::kCount, "net/http.(*Client).Get"},
      // A gRPC ClientConn dialed per request and never closed: five
      // goroutines each, started by grpc in the request goroutine.
      {"svc-stockcheck-leak.go1.22.debug2.txt", "svc-stockcheck", "grpc-conn-not-closed",
       "google.golang.org/grpc.(*ccBalancerWrapper).watcher", 600, 120, S::kHigh, L::kCount, ""},
      {"svc-stockcheck-leak.go1.19.sigquit.txt", "svc-stockcheck", "grpc-conn-not-closed",
       "google.golang.org/grpc.(*ccBalancerWrapper).watcher", 600, 120, S::kHigh, L::kCount, ""},
      // A redigo pool whose connections were never given back: its
      // callers queue as they do for a pool saturated by slow commands.
      {"svc-carts-leak.go1.27.debug2.txt", "svc-carts", "redis-pool-exhausted", "main.(*Carts).cart", 60, 0,
       S::kLow, L::kSuspect, "github.com/gomodule/redigo/redis.(*Pool).Get"},
      // The runtime's deadlock report proves every goroutine it lists stuck,
      // whatever the count: the fetchers, and main in wg.Wait().
      {"batch-export-deadlock.go1.19.crash.txt", "batch-export", "chan-send-blocked", "main.(*Exporter).fetch",
       24, 0, S::kCritical, L::kProof, ""},
      {"batch-export-deadlock.go1.27.crash.txt", "batch-export", "waitgroup-never-done",
       "main.(*Exporter).Run", 1, 0, S::kCritical, L::kProof, "sync.(*WaitGroup).Wait"},
      // Saturation stays low without minutes.
      {"svc-catalog-leak.go1.27.after.debug2.txt", "svc-catalog", "mutex-pileup", "main.(*Catalog).Price", 100,
       0, S::kLow, L::kSuspect, "sync.(*Mutex).Lock"},
  };
  for (const Expected& e : cases) check(e);
}

TEST_CASE("healthy services: nothing at medium or above, and the pool-like verdict says why") {
  const char* healthy[][2] = {
      {"svc-jobpool.go1.22.debug2.txt", "svc-jobpool"},          // a fixed pool of 16
      {"svc-render-healthy.go1.19.debug2.txt", "svc-render"},    // a farm of 192, before Go 1.21
      {"svc-render-healthy.go1.22.sigquit.txt", "svc-render"},   // the same in a SIGQUIT dump
      {"svc-render-healthy.go1.27.debug2.txt", "svc-render"},    // ... and with parents named
      {"svc-render-healthy.go1.27.debug1.txt", "svc-render"},    // ... and as counts alone
      {"svc-media.go1.27.after.debug2.txt", "svc-media"},        // a lazily started pool of 64
      {"grpc-shards.go1.27.debug2.txt", "grpc-shards"},          // 50 idle gRPC connections
      {"redis-workers.go1.27.debug2.txt", "redis-workers"},      // a Redis worker pool of 32
      {"pq-indexer.go1.22.loaded.debug2.txt", "pq-indexer"},     // a DB pool of 8, 64 workers mid-load
      {"svc-chat-healthy.go1.27.busy.debug2.txt", "svc-chat"},   // 200 live connections
      {"svc-chat-healthy.go1.27.busy.debug1.txt", "svc-chat"},   // the same in debug=1
      {"svc-mirror-healthy.go1.27.loaded.debug2.txt", "svc-mirror"},  // bodies being read
      {"ws-hub-healthy.go1.22.loaded.debug1.txt", "ws-hub"},     // 114 live websocket clients
      {"prom-catalog.go1.22.loaded.debug2.txt", "prom-catalog"}, // instrumented server under load
      {"svc-cache-healthy.go1.19.sigquit.txt", "svc-cache"},     // 200 one-shot expiry sleeps
      {"svc-cache-healthy.go1.27.debug2.txt", "svc-cache"},      // the same, parents named
      {"svc-stock-healthy.go1.19.sigquit.txt", "svc-stock"},     // 120 reads in flight, with deadlines
      {"svc-pricing-healthy.go1.19.debug2.txt", "svc-pricing"},  // back-pressure and 120 long polls
      {"svc-pricing-healthy.go1.27.sigquit.txt", "svc-pricing"}, // the same, parents named
      {"svc-remind-healthy.go1.22.debug2.txt", "svc-remind"},    // 120 handlers within their timeout
      {"svc-gateway-healthy.go1.19.debug2.txt", "svc-gateway"},  // 120 upstream calls, callers connected
      {"svc-gateway-healthy.go1.27.debug1.txt", "svc-gateway"},  // the same as counts alone
      {"svc-stockcheck-healthy.go1.27.debug2.txt", "svc-stockcheck"},  // 40 cached ClientConns
      {"svc-stockcheck-healthy.go1.22.sigquit.txt", "svc-stockcheck"},
      {"svc-carts-healthy.go1.19.sigquit.txt", "svc-carts"},     // a Redis pool busy with BLPOPs
      {"batch-export-panic.go1.22.crash.txt", "batch-export"},   // a panic beside a pool of writers
  };
  for (const auto& [healthy_dump, program] : healthy) {
    std::string name = healthy_dump;
    CAPTURE(name);
    if (!have(name)) continue;
    Verdicts v = verdicts(dump(name), program);
    CHECK_MESSAGE(v.loudest() < RuleSeverity::kMedium, v.describe());
  }
  if (have("svc-jobpool.go1.22.debug2.txt")) {
    Verdicts v = verdicts(dump("svc-jobpool.go1.22.debug2.txt"), "svc-jobpool");
    const Finding* f = v.find("chan-receive-never-closed");
    REQUIRE(f != nullptr);
    CHECK(f->evidence_level == EvidenceLevel::kPoolLike);
    CHECK(f->evidence_basis.find("pool of 16") != std::string::npos);
  }
  // A pool past any count threshold: one burst of ids from one goroutine
  // that still runs (Go 1.21+ names it), or from a function no request runs.
  for (const auto& [name, says] : {std::pair{"svc-render-healthy.go1.27.debug2.txt", "and still runs"},
                                   std::pair{"svc-render-healthy.go1.19.debug2.txt", "outside any request"}}) {
    if (!have(name)) continue;
    CAPTURE(name);
    Verdicts v = verdicts(dump(name), "svc-render");
    const Finding* f = v.find("chan-receive-never-closed");
    REQUIRE(f != nullptr);
    CHECK(f->count == 192);
    CHECK(f->evidence_level == EvidenceLevel::kPoolLike);
    CHECK(f->evidence_basis.find("pool of 192") != std::string::npos);
    CHECK(f->evidence_basis.find(says) != std::string::npos);
  }
  // Counter-evidence in the dump itself: live peers, visible readers.
  if (have("svc-chat-healthy.go1.27.busy.debug2.txt")) {
    Verdicts v = verdicts(dump("svc-chat-healthy.go1.27.busy.debug2.txt"), "svc-chat");
    const Finding* f = v.find("cond-wait-forever");
    REQUIRE(f != nullptr);
    CHECK(f->severity == RuleSeverity::kInfo);
    CHECK(f->evidence_basis.find("live connections") != std::string::npos);
  }
  if (have("svc-mirror-healthy.go1.27.loaded.debug2.txt")) {
    Verdicts v = verdicts(dump("svc-mirror-healthy.go1.27.loaded.debug2.txt"), "svc-mirror");
    const Finding* f = v.find("unclosed-response-body");
    REQUIRE(f != nullptr);
    CHECK(f->severity == RuleSeverity::kInfo);
    CHECK(f->evidence_basis.find("reading these bodies") != std::string::npos);
  }
}

TEST_CASE("a one-shot sleep per call is not a polling loop: the source tells, the dump alone cannot") {
  // svc-cache's twins differ only in the caller of (*Cache).pause: a for
  // loop (keepFresh) or a single call (expire). The stacks match frame for
  // frame otherwise, so without the source both weigh on count.
  // The evidence names the caller's line inside the loop.
  const std::string src = test::read_file(test::source_dir() / "corpus/programs/svc-cache/main.go");
  const size_t at = src.find("c.pause(ttl / 2)");
  REQUIRE(at != std::string::npos);
  const auto refresh_loop_line = 1 + std::count(src.begin(), src.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  for (const char* version : {"1.19", "1.22", "1.27"}) {
    std::string leak = fmt::format("svc-cache-leak.go{}.debug2.txt", version);
    std::string healthy = fmt::format("svc-cache-healthy.go{}.debug2.txt", version);
    if (!have(leak) || !have(healthy)) continue;
    CAPTURE(healthy);
    Verdicts with = verdicts(dump(healthy), "svc-cache");
    CHECK_MESSAGE(with.find("sleep-poller") == nullptr, with.describe());

    Verdicts without = verdicts(dump(healthy));
    const Finding* guess = without.find("sleep-poller");
    REQUIRE_MESSAGE(guess != nullptr, without.describe());
    CHECK(guess->count == 200);
    CHECK(guess->confidence != Confidence::kUnconfirmed);  // weighed on the dump, not a guess
    CHECK(guess->evidence.find("source could rule this shape out") != std::string::npos);

    Verdicts l = verdicts(dump(leak), "svc-cache");
    const Finding* f = l.find("sleep-poller");
    REQUIRE_MESSAGE(f != nullptr, l.describe());
    CHECK(f->evidence.find("called from a for loop at") != std::string::npos);
    CHECK(f->evidence.find(fmt::format("svc-cache/main.go:{}", refresh_loop_line)) != std::string::npos);
  }
}

TEST_CASE("a waiter whose workers are blocked elsewhere is a consequence, pointing at them") {
  if (!have("svc-search-leak.go1.27.after.leak1.txt")) return;
  Verdicts v = verdicts(dump("svc-search-leak.go1.27.after.leak1.txt"), "svc-search");
  const Finding* w = v.find("waitgroup-never-done");
  REQUIRE_MESSAGE(w != nullptr, v.describe());
  CHECK(w->severity == RuleSeverity::kLow);  // even proven: the fix is where the workers block
  CHECK(w->cause.find("main.(*Searcher).Search.func1") != std::string::npos);
  REQUIRE(w->cause_finding >= 0);
  const Finding& cause = v.snap().findings[static_cast<size_t>(w->cause_finding)];
  CHECK(v.str(cause.site.func) == "main.(*Searcher).Search.func1");
  CHECK(cause.severity == RuleSeverity::kCritical);  // the senders are the proven leak
}

TEST_CASE("checks that need the source fold into one line, and the claiming finding says so") {
  if (!have("ticker-leak.go1.22.debug2.txt")) return;
  Verdicts v = verdicts(dump("ticker-leak.go1.22.debug2.txt"));  // no source at all
  const Finding* f = v.find("chan-receive-never-closed");
  REQUIRE(f != nullptr);
  CHECK(f->evidence.find("context-never-cancelled, ticker-without-stop could not be checked") !=
        std::string::npos);
  CHECK(v.find("ticker-without-stop") == nullptr);
  CHECK(v.find("context-never-cancelled") == nullptr);

  if (!test::shared_available()) return;
  Verdicts e = verdicts(test::shared_dir() / "corpus-public/erigon-cdk-debug2-go121.txt");
  size_t guesses = 0;
  for (const Finding& g : e.snap().findings) guesses += g.confidence == Confidence::kUnconfirmed;
  CHECK(guesses == 1);
  const Finding* n = e.find("needs-source");
  REQUIRE(n != nullptr);
  CHECK(n->evidence.find("at 21 sites") != std::string::npos);
}

TEST_CASE("reports that are proof: goleak in every shape, synctest") {
  struct Report {
    const char* file;
    const char* rule;
    const char* site;
    uint64_t count;
  };
  if (test::shared_available()) {
    const Report goleak[] = {
        {"issue-chanx-12-goleak-gha-timestamps.txt", "runtime-reported-leak", "github.com/smallnest/chanx.process[...]", 2},
        {"issue-tidb-28816-goleak-jenkins-timestamps.txt", "chan-receive-never-closed",
         "github.com/pingcap/tidb/br/pkg/pdutil.TestScheduler.func5", 1},
        {"issue-hatchet-170-goleak-indented.txt", "runtime-reported-leak",
         "google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run", 1},
    };
    for (const Report& r : goleak) {
      CAPTURE(r.file);
      Verdicts v = verdicts(test::shared_dir() / "corpus-public" / r.file);
      CHECK(v.snap().leak_report == LeakReport::kGoleak);
      const Finding* f = nullptr;
      for (const Finding& x : v.snap().findings)
        if (x.rule == r.rule && v.str(x.site.func) == r.site) f = &x;
      REQUIRE_MESSAGE(f != nullptr, v.describe());
      CHECK(f->count == r.count);
      CHECK(f->severity == RuleSeverity::kCritical);
      CHECK(f->evidence_level == EvidenceLevel::kProof);
      // Every goroutine the report lists is named, once.
      uint64_t named = 0;
      for (const Finding& x : v.snap().findings) named += x.count;
      CHECK(named == v.snap().total);
    }
  }
  // synctest: a bubble left blocked after its main goroutine returned, and
  // a bubble deadlocked with it. The test goroutine that panics (running,
  // outside the bubble) prints the report and is no part of it.
  for (const char* name : {"synctest-leak.go1.27.test.txt", "synctest-leak.go1.26.test.txt",
                           "synctest-deadlock.go1.27.test.txt", "synctest-deadlock.go1.26.test.txt"}) {
    if (!have(name)) continue;
    CAPTURE(name);
    std::unique_ptr<test::Loaded> l = test::load(dump(name));
    bool seen = false;
    for (Snapshot& s : l->result.snapshots) {
      if (s.leak_report != LeakReport::kSynctest) continue;
      seen = true;
      classify(s, l->catalog, test::builtin_rule_set(), ClassifyOptions{});
      REQUIRE(!s.findings.empty());
      bool senders = false;
      for (const Finding& f : s.findings) {
        CAPTURE(f.rule);
        CHECK(f.severity == RuleSeverity::kCritical);
        CHECK(f.evidence_level == EvidenceLevel::kProof);
        CHECK(f.category != StateCategory::kRunning);
        senders = senders || f.rule == "chan-send-blocked";
      }
      CHECK(senders);
    }
    CHECK(seen);
  }
}
