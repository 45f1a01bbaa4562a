// Severity by evidence, and the source reading it leans on: the decision
// table of classify/evidence.h level by level, Go statements read from
// source lines (classify/statement.h), and the guarded default source roots.
// The same verdicts on real dumps are asserted in test_rules_corpus.cpp.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "classify/classifier.h"
#include "classify/evidence.h"
#include "classify/source_lookup.h"
#include "classify/statement.h"
#include "test_support.h"

using namespace gorleak;
namespace fs = std::filesystem;

namespace {

Rule rule_like(Lookalike l, RuleSeverity s) {
  Rule r;
  r.id = "r";
  r.severity = s;
  r.lookalike = l;
  return r;
}

EvidenceVerdict judge(const Rule& r, uint64_t count, void (*tweak)(EvidenceInput&) = nullptr) {
  EvidenceInput in;
  in.rule = &r;
  in.count = count;
  if (tweak) tweak(in);
  return weigh_evidence(in);
}

}  // namespace

TEST_CASE("proof outranks everything, and count thresholds do not matter") {
  Rule r = rule_like(Lookalike::kPool, RuleSeverity::kMedium);
  EvidenceVerdict v = judge(r, 3, [](EvidenceInput& in) { in.leaked = 3; });
  CHECK(v.severity == RuleSeverity::kCritical);
  CHECK(v.level == EvidenceLevel::kProof);
  CHECK(v.basis.find("(leaked)") != std::string::npos);
  v = judge(r, 1, [](EvidenceInput& in) { in.report = LeakReport::kGoleak; });
  CHECK(v.severity == RuleSeverity::kCritical);
  CHECK(v.basis.find("goleak") != std::string::npos);
  v = judge(r, 1, [](EvidenceInput& in) { in.report = LeakReport::kSynctest; });
  CHECK(v.level == EvidenceLevel::kProof);
  // Proof for part of the goroutines: high, and it says how many.
  v = judge(r, 10, [](EvidenceInput& in) { in.leaked = 4; });
  CHECK(v.severity == RuleSeverity::kHigh);
  CHECK(v.basis.find("4 of the 10") != std::string::npos);
}

TEST_CASE("a series decides: growth raises, flat or drained withdraws") {
  Rule r = rule_like(Lookalike::kPool, RuleSeverity::kMedium);
  EvidenceVerdict grew = judge(r, 74, [](EvidenceInput& in) {
    in.series = SeriesVerdict::kGrew;
    in.series_before = 0;
  });
  CHECK(grew.severity == RuleSeverity::kHigh);
  CHECK(grew.level == EvidenceLevel::kGrowth);
  CHECK(grew.basis.find("from 0 to 74") != std::string::npos);
  EvidenceVerdict flat = judge(r, 500, [](EvidenceInput& in) { in.series = SeriesVerdict::kFlat; });
  CHECK(flat.severity == RuleSeverity::kInfo);
  CHECK(flat.level == EvidenceLevel::kWithdrawn);
}

TEST_CASE("pool-shaped rules: one dump needs count; a pool started at once stays low") {
  Rule r = rule_like(Lookalike::kPool, RuleSeverity::kMedium);
  auto pool = [](EvidenceInput& in) {
    in.spawn.parents_known = true;
    in.spawn.distinct_parents = 1;
    in.spawn.ids_known = true;
    in.spawn.one_burst = true;
  };
  EvidenceVerdict v = judge(r, 16, pool);
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.level == EvidenceLevel::kPoolLike);
  CHECK(v.basis.find("pool of 16") != std::string::npos);
  // 100 from one burst whose parent is gone: a request's fan-out as much as
  // a pool, and the count decides.
  v = judge(r, 120, pool);
  CHECK(v.severity == RuleSeverity::kMedium);
  CHECK(v.level == EvidenceLevel::kCount);
  // Any size when the parent still runs outside a request (main started
  // the farm), and before Go 1.21 when no request runs the starter.
  v = judge(r, 192, [](EvidenceInput& in) {
    in.spawn.parents_known = true;
    in.spawn.distinct_parents = 1;
    in.spawn.ids_known = true;
    in.spawn.one_burst = true;
    in.spawn.burst_parent_lives = true;
  });
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.level == EvidenceLevel::kPoolLike);
  CHECK(v.basis.find("pool of 192") != std::string::npos);
  CHECK(v.basis.find("still runs") != std::string::npos);
  v = judge(r, 192, [](EvidenceInput& in) {
    in.spawn.ids_known = true;
    in.spawn.one_burst = true;
    in.spawn.burst_outside_requests = true;
  });
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.level == EvidenceLevel::kPoolLike);
  CHECK(v.basis.find("outside any request") != std::string::npos);
  // Ids spread over the process's life: started over time, a count.
  v = judge(r, 192, [](EvidenceInput& in) {
    in.spawn.parents_known = true;
    in.spawn.distinct_parents = 1;
    in.spawn.ids_known = true;
    in.spawn.burst_parent_lives = false;
  });
  CHECK(v.severity == RuleSeverity::kMedium);
  CHECK(v.level == EvidenceLevel::kCount);
  // A count profile cannot show a burst: the count alone stays low.
  v = judge(r, 300);
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.level == EvidenceLevel::kSuspect);
  CHECK(v.basis.find("count profile") != std::string::npos);
  // ... up to sizes no pool of workers reaches.
  v = judge(r, kCountProfileEvidence);
  CHECK(v.severity == RuleSeverity::kMedium);
  CHECK(v.level == EvidenceLevel::kCount);
  CHECK(judge(r, kCountProfileEvidence - 1).severity == RuleSeverity::kLow);
  // Many parents: recorded as spawning, still low (lazily started pools
  // spawn the same way).
  v = judge(r, 37, [](EvidenceInput& in) {
    in.spawn.parents_known = true;
    in.spawn.distinct_parents = 9;
  });
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.level == EvidenceLevel::kSpawning);
  // Nothing known: suspect.
  v = judge(r, 37);
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.level == EvidenceLevel::kSuspect);
  // Wait minutes say nothing about an idle pool.
  v = judge(r, 37, [](EvidenceInput& in) { in.max_wait = 300; });
  CHECK(v.severity == RuleSeverity::kLow);
}

TEST_CASE("one burst of creation: ids spanning the count plus the runtime's batch gaps") {
  // 128 workers started in a loop: ids 19..146.
  CHECK(ids_form_one_burst(19, 146, 128));
  // Up to 16 + n/4 ids taken by other processors in between.
  CHECK(ids_form_one_burst(100, 100 + 128 + 48 - 1, 128));
  CHECK_FALSE(ids_form_one_burst(100, 100 + 128 + 49 - 1, 128));
  // One per connection beside a reader each: every other id.
  CHECK_FALSE(ids_form_one_burst(2144, 4142, 1000));
  // Unknown ids, too few goroutines, a span shorter than the count.
  CHECK_FALSE(ids_form_one_burst(0, 146, 128));
  CHECK_FALSE(ids_form_one_burst(19, 20, 2));
  CHECK_FALSE(ids_form_one_burst(19, 30, 128));
}

TEST_CASE("in-flight rules: minutes, count or an abandoned fan-out confirm") {
  Rule r = rule_like(Lookalike::kInFlight, RuleSeverity::kHigh);
  CHECK(judge(r, 19).severity == RuleSeverity::kLow);
  EvidenceVerdict v = judge(r, 19, [](EvidenceInput& in) { in.max_wait = 49; });
  CHECK(v.severity == RuleSeverity::kHigh);
  CHECK(v.level == EvidenceLevel::kWait);
  v = judge(r, 19, [](EvidenceInput& in) { in.spawn.creator_returned = true; });
  CHECK(v.severity == RuleSeverity::kMedium);
  CHECK(v.level == EvidenceLevel::kSpawning);
  v = judge(r, 19, [](EvidenceInput& in) { in.spawn.creator_waiting = true; });
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.level == EvidenceLevel::kPoolLike);
  CHECK(judge(r, 150).level == EvidenceLevel::kCount);
}

TEST_CASE("in-flight rules: a deadlock on a WaitGroup is the rule's own severity, its coordinators low") {
  Rule r = rule_like(Lookalike::kInFlight, RuleSeverity::kHigh);
  // Senders whose parents wait for them in WaitGroup.Wait, nothing else
  // started beside them: even a parent "waiting" cannot receive.
  EvidenceVerdict v = judge(r, 19, [](EvidenceInput& in) {
    in.spawn.creator_waiting = true;
    in.spawn.creator_deadlocked = true;
  });
  CHECK(v.severity == RuleSeverity::kHigh);
  CHECK(v.level == EvidenceLevel::kState);
  CHECK(v.basis.find("deadlock") == 0);
  // Those parents: they wait for their own workers, whose verdict decides,
  // even though the function that started the parents has returned.
  v = judge(r, 150, [](EvidenceInput& in) {
    in.spawn.parents_of_live = true;
    in.spawn.creator_returned = true;
  });
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.basis.find("coordinators") == 0);
}

TEST_CASE("pool-shaped rules: request handlers parked at once are requests in flight") {
  Rule r = rule_like(Lookalike::kPool, RuleSeverity::kMedium);
  EvidenceVerdict v = judge(r, 150, [](EvidenceInput& in) {
    in.spawn.all_serve_requests = true;
    in.spawn.ids_known = true;
  });
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.basis.find("requests in flight") == 0);
  // Minutes still confirm.
  v = judge(r, 150, [](EvidenceInput& in) {
    in.spawn.all_serve_requests = true;
    in.max_wait = 12;
  });
  CHECK(v.severity == RuleSeverity::kMedium);
  CHECK(v.level == EvidenceLevel::kWait);
}

TEST_CASE("in-flight rules: handlers whose clients are still connected are requests in flight") {
  Rule r = rule_like(Lookalike::kInFlight, RuleSeverity::kMedium);
  // 150 at one site is count evidence...
  EvidenceVerdict v = judge(r, 150, [](EvidenceInput& in) { in.spawn.all_serve_requests = true; });
  CHECK(v.severity == RuleSeverity::kMedium);
  CHECK(v.level == EvidenceLevel::kCount);
  // ...unless their callers still wait for them.
  v = judge(r, 150, [](EvidenceInput& in) {
    in.spawn.all_serve_requests = true;
    in.spawn.clients_waiting = true;
  });
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.level == EvidenceLevel::kPoolLike);
  CHECK(v.basis.find("requests in flight") == 0);
  // Minutes still confirm.
  v = judge(r, 150, [](EvidenceInput& in) {
    in.spawn.clients_waiting = true;
    in.max_wait = 9;
  });
  CHECK(v.severity == RuleSeverity::kMedium);
  CHECK(v.level == EvidenceLevel::kWait);
}

TEST_CASE("saturation is medium at most from one dump unless minutes show it stuck") {
  Rule r = rule_like(Lookalike::kSaturation, RuleSeverity::kHigh);
  EvidenceVerdict v = judge(r, 400);
  CHECK(v.severity == RuleSeverity::kLow);
  CHECK(v.basis.find("saturation") == 0);
  v = judge(r, 40, [](EvidenceInput& in) { in.max_wait = 14409; });
  CHECK(v.severity == RuleSeverity::kHigh);
  CHECK(v.level == EvidenceLevel::kWait);
}

TEST_CASE("counter-evidence and shapes that cannot end") {
  Rule r = rule_like(Lookalike::kConnection, RuleSeverity::kMedium);
  EvidenceVerdict v = judge(r, 500, [](EvidenceInput& in) { in.counter = "live connections: …"; });
  CHECK(v.severity == RuleSeverity::kInfo);
  CHECK(v.level == EvidenceLevel::kPoolLike);
  Rule nil = rule_like(Lookalike::kNone, RuleSeverity::kCritical);
  v = judge(nil, 1);
  CHECK(v.severity == RuleSeverity::kCritical);
  CHECK(v.level == EvidenceLevel::kState);
}

TEST_CASE("a shape fixed in a Go release is withdrawn for dumps from it") {
  Rule r = rule_like(Lookalike::kNone, RuleSeverity::kMedium);
  r.fixed_in_go_minor = 23;
  EvidenceVerdict v = judge(r, 3, [](EvidenceInput& in) {
    in.go.min_minor = 24;
    in.go.basis = "sync.WaitGroup.Wait state";
  });
  CHECK(v.severity == RuleSeverity::kInfo);
  CHECK(v.basis.find("since Go 1.23") != std::string::npos);
  v = judge(r, 3, [](EvidenceInput& in) { in.go.max_minor = 22; });
  CHECK(v.severity == RuleSeverity::kMedium);
  // Unknown or straddling: the rule's severity stands.
  CHECK(judge(r, 3).severity == RuleSeverity::kMedium);
}

TEST_CASE("Go statements read from source lines") {
  struct Case {
    const char* line;
    StateCategory category;
    const char* reason;
  } cases[] = {
      {"\tch <- v", StateCategory::kChanSend, "chan send"},
      {"\t\ts.results[i] <- r // answer", StateCategory::kChanSend, "chan send"},
      {"\treply() <- x", StateCategory::kChanSend, "chan send"},
      {"\tv := <-ch", StateCategory::kChanReceive, "chan receive"},
      {"\tv, ok := <-p.jobs", StateCategory::kChanReceive, "chan receive"},
      {"\t<-ctx.Done()", StateCategory::kChanReceive, "chan receive"},
      {"\treturn <-done", StateCategory::kChanReceive, "chan receive"},
      {"\tfor j := range p.jobs {", StateCategory::kChanReceive, "chan receive"},
      {"\tfor range t.C {", StateCategory::kChanReceive, "chan receive"},
      {"\tselect {", StateCategory::kSelect, "select"},
      {"\tselect {}", StateCategory::kSelect, "select (no cases)"},
      {"\tmu.Lock()", StateCategory::kUnknown, ""},
      {"\tlog.Printf(\"a <- b\")", StateCategory::kUnknown, ""},
      {"\t// ch <- v", StateCategory::kUnknown, ""},
  };
  for (const Case& c : cases) {
    Statement s = read_statement(c.line);
    CAPTURE(c.line);
    CHECK(statement_category(s) == c.category);
    CHECK(statement_reason(s) == std::string_view(c.reason));
  }
  CHECK(read_statement("\tfor range t.C {").ticker);
  CHECK(read_statement("\tfor v := range ch {").ranges);
  CHECK_FALSE(read_statement("\tfor v := range ch {").ticker);

  // A select's cases count: the flags cover its block.
  std::vector<std::string_view> lines = {"\tselect {",
                                         "\tcase <-ctx.Done():",
                                         "\t\treturn",
                                         "\tcase <-time.After(time.Second):",
                                         "\t}",
                                         "\tx := t.C"};
  Statement s = read_statement_at(lines, 0);
  CHECK(s.context_done);
  CHECK(s.timer_after);
  CHECK_FALSE(s.ticker);  // t.C is after the select's closing brace
}

TEST_CASE("inside_loop: the enclosing block, up to the function") {
  std::vector<std::string_view> loop = {"func (w *W) run() {", "\tfor {", "\t\tif x {", "\t\t}",
                                        "\t\tselect {"};
  CHECK(inside_loop(loop, 4));
  std::vector<std::string_view> once = {"func wait() {", "\tfor _, x := range xs {", "\t\tuse(x)",
                                        "\t}", "\tselect {"};
  CHECK_FALSE(inside_loop(once, 4));
  // A goroutine's closure started in a loop is not itself in a loop.
  std::vector<std::string_view> closure = {"func start() {", "\tfor i := 0; i < n; i++ {",
                                           "\t\tgo func() {", "\t\t\tselect {"};
  CHECK_FALSE(inside_loop(closure, 3));
  std::vector<std::string_view> else_block = {"func f() {", "\tfor {", "\t\tif a {", "\t\t} else {",
                                              "\t\t\t<-ch"};
  CHECK(inside_loop(else_block, 4));
}

TEST_CASE("declared_name: what a dump's symbol is declared as") {
  CHECK(declared_name("main.(*Server).handle.func1") == "handle");
  CHECK(declared_name("main.fetchFirst.func1.2") == "fetchFirst");
  CHECK(declared_name("github.com/acme/app/internal/q.(*Queue[...]).Pop") == "Pop");
  CHECK(declared_name("main.genericWait[...]") == "genericWait");
  CHECK(declared_name("main.(*server).loop-fm") == "loop");
  CHECK(declared_name("runtime.gopark") == "gopark");
  CHECK(declared_name("nodot").empty());
}

TEST_CASE("guessed source roots read only files that declare the frame's function") {
  fs::path dir = fs::temp_directory_path() / "gorleak-test-evidence-src";
  fs::remove_all(dir);
  fs::create_directories(dir / "app");
  std::ofstream(dir / "app" / "main.go") << "package main\n\nfunc other() {\n\tselect {}\n}\n";
  SourceLookup guarded({dir.string()}, /*guarded=*/true);
  CHECK(guarded.resolve("/build/app/main.go") == (dir / "app" / "main.go").string());
  CHECK_FALSE(guarded.declares("/build/app/main.go", "main.worker"));
  CHECK(guarded.declares("/build/app/main.go", "main.other.func1"));
  SourceLookup named({dir.string()});
  CHECK(named.declares("/build/app/main.go", "main.worker"));  // the user said where
  fs::remove_all(dir);
}
