// Reports that are proof (Snapshot::leak_report): a goleak report lists
// only goroutines that outlived a test, testing/synctest's panic
// "main bubble goroutine has exited but blocked goroutines remain" prints
// the bubble's goroutines that stayed blocked, and the runtime's "fatal
// error: all goroutines are asleep - deadlock!" lists goroutines none of
// which can run again (corpus/programs/batch-export). Real reports, in every shape
// they reach us: synctest from corpus/programs/synctest-leak (go test with
// Go 1.26 and 1.27), goleak from public CI logs (GitHub Actions and Jenkins
// timestamps, indented in a Markdown list) and, stripped of its prefix,
// plain. Their goroutines must parse completely.
#include <doctest/doctest.h>

#include <re2/re2.h>

#include <sstream>
#include <string>

#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

uint64_t count_matching_lines(const std::string& text, const RE2& re) {
  std::istringstream in(text);
  std::string l;
  uint64_t n = 0;
  while (std::getline(in, l))
    if (RE2::PartialMatch(l, re)) ++n;
  return n;
}

// Every goroutine of `s` has frames, a state and a known category, and
// every frame its file line (but the last of an excerpt cut mid-frame).
void check_complete(const Catalog& c, const Snapshot& s) {
  CHECK(s.skipped_lines == 0);
  for (const Group& g : s.groups) {
    const Stack& st = c.stacks.get(g.stack);
    CHECK(!st.frames.empty());
    CHECK(!c.str(g.state).empty());
    CHECK(g.category != StateCategory::kUnknown);
    size_t cut = s.truncated ? 1 : 0;
    for (size_t i = 0; i + cut < st.frames.size(); ++i) {
      CHECK(st.frames[i].file != 0);
      CHECK(st.frames[i].line > 0);
    }
  }
}

}  // namespace

TEST_CASE("synctest: a real bubble leak is a synctest report, every goroutine read") {
  const RE2 header(R"(^goroutine \d+ \[)");
  const RE2 bubbled(R"(^goroutine \d+ \[.*synctest bubble \d+\]:)");
  size_t checked = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), "synctest-leak.")) {
    if (p.filename().string().find(".test.txt") == std::string::npos) continue;
    CAPTURE(p.filename().string());
    std::string text = read_file(p);
    auto l = load(p);
    REQUIRE(l->result.snapshots.size() == 1);
    const Snapshot& s = l->result.snapshots[0];
    CHECK(s.leak_report == LeakReport::kSynctest);
    CHECK(s.cause.find("main bubble goroutine has exited but blocked goroutines remain") !=
          std::string::npos);
    CHECK(s.total == count_matching_lines(text, header));
    check_complete(l->catalog, s);
    // The panicking test goroutine, and the bubble's: four senders that
    // lost the race and one subscriber on a channel nobody closes.
    CHECK(count_matching_lines(text, bubbled) == 5);
    uint64_t send = 0, receive = 0, running = 0;
    for (const Group& g : s.groups) {
      if (g.category == StateCategory::kChanSend) send += g.count;
      if (g.category == StateCategory::kChanReceive) receive += g.count;
      if (g.category == StateCategory::kRunning) running += g.count;
    }
    CHECK(send == 4);
    CHECK(receive == 1);
    CHECK(running == 1);
    CHECK(s.go_version.min_minor >= 25);
    ++checked;
  }
  CHECK(checked >= 1);
  MESSAGE(checked << " synctest reports");
}

TEST_CASE("goleak reports in every shape are goleak reports, every goroutine read") {
  if (!shared_available()) {
    MESSAGE("../shared absent: skipped");
    return;
  }
  const RE2 entry(R"(Goroutine \d+ in state )");
  auto dir = shared_dir() / "corpus-public";
  struct Case {
    const char* file;
    const char* shape;
  };
  size_t checked = 0;
  for (Case c : {Case{"issue-chanx-12-goleak-gha-timestamps.txt", "GitHub Actions timestamps"},
                 Case{"issue-tidb-28816-goleak-jenkins-timestamps.txt", "Jenkins timestamps"},
                 Case{"issue-hatchet-170-goleak-indented.txt", "indented in a Markdown list"}}) {
    CAPTURE(std::string(c.file));
    CAPTURE(std::string(c.shape));
    std::string text = read_file(dir / c.file);
    auto l = load(dir / c.file);
    REQUIRE(l->result.snapshots.size() == 1);
    const Snapshot& s = l->result.snapshots[0];
    CHECK(s.leak_report == LeakReport::kGoleak);
    CHECK(s.total == count_matching_lines(text, entry));
    check_complete(l->catalog, s);
    ++checked;
  }
  // Plain: the Jenkins report without its timestamps, as a local `go test` prints it.
  std::string plain = read_file(dir / "issue-tidb-28816-goleak-jenkins-timestamps.txt");
  RE2::GlobalReplace(&plain, R"((?m)^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] )", "");
  REQUIRE(plain.find("[2021") == std::string::npos);
  auto l = load_text(plain);
  REQUIRE(l->result.snapshots.size() == 1);
  CHECK(l->result.snapshots[0].leak_report == LeakReport::kGoleak);
  CHECK(l->result.snapshots[0].total == 1);
  check_complete(l->catalog, l->result.snapshots[0]);
  ++checked;
  MESSAGE(checked << " goleak reports");
}

TEST_CASE("synctest: a deadlocked bubble is a synctest report too") {
  size_t checked = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), "synctest-deadlock.")) {
    if (p.filename().string().find(".test.txt") == std::string::npos) continue;
    CAPTURE(p.filename().string());
    auto l = load(p);
    REQUIRE(l->result.snapshots.size() == 1);
    const Snapshot& s = l->result.snapshots[0];
    CHECK(s.leak_report == LeakReport::kSynctest);
    CHECK(s.cause.find("deadlock: all goroutines in bubble are blocked") != std::string::npos);
    check_complete(l->catalog, s);
    // The panicking test goroutine, the bubble's root, its main goroutine in
    // wg.Wait() and 6 lookups waiting to send.
    CHECK(s.total == 9);
    ++checked;
  }
  CHECK(checked == 2);  // Go 1.26, 1.27
}

TEST_CASE("the runtime's deadlock report: every goroutine read, every one proven stuck") {
  const RE2 header(R"(^goroutine \d+ \[)");
  size_t checked = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), "batch-export-deadlock.")) {
    if (p.extension() != ".txt") continue;  // the .expect beside them
    CAPTURE(p.filename().string());
    std::string text = read_file(p);
    auto l = load(p);
    REQUIRE(l->result.snapshots.size() == 1);
    const Snapshot& s = l->result.snapshots[0];
    CHECK(s.form == Form::kCrash);
    CHECK(s.leak_report == LeakReport::kDeadlock);
    CHECK(s.total == count_matching_lines(text, header));
    check_complete(l->catalog, s);
    // 24 fetchers waiting to send, 8 writers and the logger waiting for
    // work, main in wg.Wait(): 34, as the program counted before it hung.
    uint64_t send = 0, receive = 0, semacquire = 0;
    for (const Group& g : s.groups) {
      if (g.category == StateCategory::kChanSend) send += g.count;
      if (g.category == StateCategory::kChanReceive) receive += g.count;
      if (g.category == StateCategory::kSemacquire) semacquire += g.count;
    }
    CHECK(send == 24);
    CHECK(receive == 9);
    CHECK(semacquire == 1);
    CHECK(s.total == 34);
    ++checked;
  }
  CHECK(checked == 3);  // Go 1.19, 1.22, 1.27
  // A panic of the same program (its goroutines printed with traceback
  // "all") and other fatal errors are crashes, not proof.
  for (const auto& p : list_files(corpus_dumps_dir(), "batch-export-panic.")) {
    if (p.extension() != ".txt") continue;
    CAPTURE(p.filename().string());
    auto l = load(p);
    REQUIRE(l->result.snapshots.size() == 1);
    CHECK(l->result.snapshots[0].form == Form::kCrash);
    CHECK(l->result.snapshots[0].leak_report == LeakReport::kNone);
  }
  auto other = load_text("fatal error: concurrent map writes\n\ngoroutine 7 [running]:\nmain.f()\n\t/src/x.go:3 +0x1\n");
  REQUIRE(other->result.snapshots.size() == 1);
  CHECK(other->result.snapshots[0].leak_report == LeakReport::kNone);
}

TEST_CASE("dumps that are not reports say so") {
  // A test timeout in a binary that calls goleak.VerifyTestMain: goleak is
  // only a frame of the main goroutine.
  if (shared_available()) {
    for (const char* f : {"timeout-tikv-clientgo-1884-go125-goleak-main.txt", "goleak-http.txt"}) {
      CAPTURE(f);
      auto l = load(shared_dir() / "corpus-public" / f);
      for (const Snapshot& s : l->result.snapshots) CHECK(s.leak_report == LeakReport::kNone);
    }
  }
  size_t none = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt")) {
    if (p.filename().string().rfind("synctest-", 0) == 0) continue;
    if (p.filename().string().rfind("batch-export-deadlock.", 0) == 0) continue;
    auto l = load(p);
    for (const Snapshot& s : l->result.snapshots) {
      CAPTURE(p.filename().string());
      CHECK(s.leak_report == LeakReport::kNone);
      ++none;
    }
  }
  CHECK(none > 400);
  // A goleak report after a service dump in one file: only its snapshot.
  std::string text = read_file(corpus_dumps_dir() / "send-leak.go1.22.debug2.txt") +
                     "\ngoleak: Errors on successful test run: found unexpected goroutines:\n"
                     "[Goroutine 7 in state chan receive, with main.f on top of the stack:\n"
                     "main.f()\n\t/src/x.go:3 +0x1\ncreated by main.g in goroutine 1\n\t/src/x.go:9 +0x2\n]\n";
  auto l = load_text(text);
  REQUIRE(l->result.snapshots.size() == 2);
  CHECK(l->result.snapshots[0].leak_report == LeakReport::kNone);
  CHECK(l->result.snapshots[1].leak_report == LeakReport::kGoleak);
  CHECK(l->result.snapshots[1].total == 1);
}
