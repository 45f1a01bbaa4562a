// Line grammar of every dump dialect, one line at a time. The lines are
// taken from real dumps (corpus/dumps, ../shared/docs/dump-format.md).
#include <doctest/doctest.h>

#include <string>

#include "parse/labels.h"
#include "parse/line_syntax.h"
#include "parse/log_prefix.h"
#include "parse/state_inference.h"
#include "model/func_name.h"
#include "model/state.h"

using namespace gorleak;

TEST_CASE("header: plain, minutes, locked to thread") {
  HeaderLine h;
  REQUIRE(parse_header("goroutine 7 [chan receive]:", &h));
  CHECK(h.id == 7);
  CHECK(h.reason == "chan receive");
  CHECK(h.wait_minutes == -1);
  REQUIRE(parse_header("goroutine 18 [syscall, 11266 minutes, locked to thread]:", &h));
  CHECK(h.reason == "syscall");
  CHECK(h.wait_minutes == 11266);
  CHECK(h.locked_to_thread);
  REQUIRE(parse_header("goroutine 3 [select, 1 minutes]:", &h));
  CHECK(h.wait_minutes == 1);
}

TEST_CASE("header: Go 1.22+ gp= m= mp= fields") {
  HeaderLine h;
  REQUIRE(parse_header("goroutine 1 gp=0xc0000061c0 m=4 mp=0xc00004b508 [running]:", &h));
  CHECK(h.id == 1);
  CHECK(h.reason == "running");
  REQUIRE(parse_header("goroutine 21 gp=0x3143536f23c0 m=nil [chan send (leaked)]:", &h));
  CHECK(h.reason == "chan send");
  CHECK(h.leaked);
}

TEST_CASE("header: qualifiers (leaked) (scan) (durable) and bubbles") {
  HeaderLine h;
  REQUIRE(parse_header("goroutine 9 [chan receive (nil chan) (leaked)]:", &h));
  CHECK(h.reason == "chan receive (nil chan)");
  CHECK(h.leaked);
  REQUIRE(parse_header("goroutine 5 [sleep (durable), synctest bubble 1]:", &h));
  CHECK(h.reason == "sleep");
  CHECK(h.durable);
  CHECK(h.bubble == 1);
  REQUIRE(parse_header("goroutine 6 [chan receive (synctest), synctest group 6]:", &h));
  CHECK(h.reason == "chan receive");
  CHECK(h.bubble == 6);
  REQUIRE(parse_header("goroutine 8 [select (scan)]:", &h));
  CHECK(h.scan);
  CHECK(h.reason == "select");
  REQUIRE(parse_header("goroutine 8 [select, something new]:", &h));
  CHECK(h.unknown_items);
}

TEST_CASE("header: labels in 1.26 (inside) and 1.27 (after the bracket)") {
  HeaderLine h;
  REQUIRE(parse_header(
      R"(goroutine 12 [chan receive labels:{"note": "x]y, z: \"q\"", "worker": "w-3"}]:)", &h));
  CHECK(h.reason == "chan receive");
  CHECK(h.labels_quoted_keys);
  std::string norm;
  normalize_labels(h.labels, &norm);
  CHECK(norm == R"(note=x]y, z: "q", worker=w-3)");

  REQUIRE(parse_header(R"(goroutine 9 [select, 2 minutes] {tenant: "a b", worker: w-1}:)", &h));
  CHECK(h.reason == "select");
  CHECK(h.wait_minutes == 2);
  norm.clear();
  normalize_labels(h.labels, &norm);
  CHECK(norm == "tenant=a b, worker=w-1");
}

TEST_CASE("header: ids beyond 64 bits and malformed headers") {
  HeaderLine h;
  REQUIRE(parse_header("goroutine 99999999999999999999999 [running]:", &h));
  CHECK(h.id_overflow);
  CHECK_FALSE(parse_header("goroutine 7 [chan receive", &h));
  CHECK_FALSE(parse_header("goroutine profile: total 26", &h));
  CHECK_FALSE(parse_header("goroutine running on other thread; stack unavailable", &h));
  CHECK_FALSE(parse_header("goroutine leak [detected]:", &h));  // a word is not a mask
  CHECK_FALSE(parse_header("goroutine 7[chan receive]:", &h));
}

TEST_CASE("header: ids masked by the person who pasted the dump") {
  // issue-restatedev-sdkgo-141: `goroutine NNNNN [chan send, 49 minutes]:`
  HeaderLine h;
  for (const char* line : {"goroutine NNNNN [chan send, 49 minutes]:", "goroutine XXX [chan send, 49 minutes]:",
                           "goroutine xxxx [chan send, 49 minutes]:", "goroutine \u2026 [chan send, 49 minutes]:",
                           "goroutine ... [chan send, 49 minutes]:", "goroutine <id> [chan send, 49 minutes]:",
                           "goroutine 12XXX [chan send, 49 minutes]:", "goroutine ??? [chan send, 49 minutes]:"}) {
    INFO(line);
    REQUIRE(parse_header(line, &h));
    CHECK(h.id_masked);
    CHECK(h.id == 0);
    CHECK(h.reason == "chan send");
    CHECK(h.wait_minutes == 49);
  }
  REQUIRE(parse_header("goroutine N gp=0xc0000061c0 m=nil [select]:", &h));
  CHECK(h.id_masked);
  CHECK(h.has_gp);
  REQUIRE(parse_header("goroutine 42 [select]:", &h));
  CHECK_FALSE(h.id_masked);
  REQUIRE(parse_goleak_header(" Goroutine XXX in state select, with pkg.f on top of the stack:", &h));
  CHECK(h.id_masked);
  CreatedByLine cb;
  REQUIRE(parse_created_by("created by main.run in goroutine NNN", &cb));
  CHECK(cb.func == "main.run");
  CHECK_FALSE(cb.has_parent);
  CHECK(cb.parent_masked);
  CHECK(is_masked_id("NNNNN"));
  CHECK_FALSE(is_masked_id("12345"));
  CHECK_FALSE(is_masked_id("profile:"));
  CHECK_FALSE(is_masked_id("leak"));
}

TEST_CASE("goleak entry header") {
  HeaderLine h;
  REQUIRE(parse_goleak_header(
      "[Goroutine 265 in state chan receive, 5 minutes, with pkg.TestScheduler.func5 on top of "
      "the stack:",
      &h));
  CHECK(h.id == 265);
  CHECK(h.reason == "chan receive");
  CHECK(h.wait_minutes == 5);
  REQUIRE(parse_goleak_header(
      " Goroutine 25 in state select, with google.golang.org/grpc/internal/grpcsync."
      "(*CallbackSerializer).run on top of the stack:",
      &h));
  CHECK(h.reason == "select");
}

TEST_CASE("function lines: receivers, generics, inlined, closures") {
  FuncLine f;
  REQUIRE(parse_func_line("net/http.(*Server).Serve(0xc0000a2000, {0x7a1c20, 0xc0000b4008})", &f));
  CHECK(f.func == "net/http.(*Server).Serve");
  CHECK(f.args == "0xc0000a2000, {0x7a1c20, 0xc0000b4008}");
  REQUIRE(parse_func_line("main.genericWait[...](...)", &f));
  CHECK(f.func == "main.genericWait[...]");
  CHECK(f.inlined);
  REQUIRE(parse_func_line("database/sql.(finalCloser).(database/sql.finalClose)-fm()", &f));
  CHECK(f.func == "database/sql.(finalCloser).(database/sql.finalClose)-fm");
  REQUIRE(parse_func_line("runtime.goexit({})", &f));
  CHECK(f.func == "runtime.goexit");
  REQUIRE(parse_func_line("panic({0x51b820?, 0x57c440?})", &f));
  CHECK(f.func == "panic");
  REQUIRE(parse_func_line("example.com/dumpdemo/lib%2ev2.Блок(...)", &f));
  CHECK(f.func == "example.com/dumpdemo/lib%2ev2.Блок");
  CHECK_FALSE(parse_func_line("2022/04/04 13:57:13 about to sleep (really)", &f));
  CHECK_FALSE(parse_func_line("created by main.main", &f));
  // A blank anywhere before the arguments, in a short or a long name, at
  // each end: not a function. Control bytes other than tab are no blanks.
  CHECK_FALSE(parse_func_line("a b(1)", &f));
  CHECK_FALSE(parse_func_line("a\tb(1)", &f));
  CHECK_FALSE(parse_func_line("example.com/some/pkg.Func ()", &f));
  CHECK_FALSE(parse_func_line(" example.com/some/pkg.Func()", &f));
  CHECK_FALSE(parse_func_line("example.com/some/pkg.Fun\tc()", &f));
  CHECK_FALSE(parse_func_line("example.com/some/p kg.Func()", &f));
  REQUIRE(parse_func_line("example.com/some/\x01pkg.Func()", &f));
  CHECK(f.func == "example.com/some/\x01pkg.Func");
  REQUIRE(parse_func_line("x\x1fy()", &f));
  CHECK(f.func == "x\x1fy");
}

TEST_CASE("function lines: the word-at-a-time paren search agrees with a plain one") {
  // The plain algorithm: the last '(' before the closing ')', or, when a ')'
  // follows that '(', the '(' that matches the closing one.
  auto reference = [](std::string_view s, FuncLine* out) {
    size_t n = s.size();
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) --n;
    if (n < 3 || s[n - 1] != ')') return false;
    size_t open = s.substr(0, n - 1).rfind('(');
    if (open == std::string_view::npos) return false;
    if (s.substr(open + 1, n - 2 - open).find(')') != std::string_view::npos) {
      int depth = 0;
      open = std::string_view::npos;
      for (size_t i = n; i-- > 0;) {
        if (s[i] == ')') ++depth;
        else if (s[i] == '(' && --depth == 0) {
          open = i;
          break;
        }
      }
      if (open == std::string_view::npos) return false;
    }
    if (open == 0) return false;
    for (char c : s.substr(0, open))
      if (c == ' ' || c == '\t') return false;
    out->func = s.substr(0, open);
    out->args = s.substr(open + 1, n - open - 2);
    return true;
  };
  // Bytes next to '(' and ')' in value (0x28, 0x29, 0xA8, 0xA9) and the
  // blanks catch a search that confuses them.
  const std::string alphabet = std::string("()()a ,.\t") + '\x28' + '\xa8' + '\xa9' + '\x09';
  uint64_t seed = 0x9e3779b97f4a7c15ULL;
  auto next = [&] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  size_t accepted = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string line;
    size_t len = next() % 48;
    for (size_t i = 0; i < len; ++i) line.push_back(alphabet[next() % alphabet.size()]);
    if (next() % 2) line += ")";
    FuncLine got, want;
    bool ok = parse_func_line(line, &got);
    REQUIRE_MESSAGE(ok == reference(line, &want), line);
    if (!ok) continue;
    ++accepted;
    CHECK(got.func == want.func);
    CHECK(got.args == want.args);
  }
  CHECK(accepted > 1000);
}

TEST_CASE("file lines: offsets, fp/sp/pc, Windows, spaces, unknown") {
  FileLine fl;
  REQUIRE(parse_file_line("\t/usr/local/go/src/net/http/server.go:3285 +0x4b4", &fl));
  CHECK(fl.file == "\t/usr/local/go/src/net/http/server.go");
  REQUIRE(parse_file_line("/usr/local/go/src/net/http/server.go:3285 +0x4b4", &fl));
  CHECK(fl.file == "/usr/local/go/src/net/http/server.go");
  CHECK(fl.line == 3285);
  REQUIRE(parse_file_line("/src/app/main.go:6", &fl));
  CHECK(fl.line == 6);
  REQUIRE(parse_file_line(
      "/usr/lib/go/src/runtime/proc.go:402 +0xce fp=0xc00006af80 sp=0xc00006af60 pc=0x43e9ce",
      &fl));
  CHECK(fl.file == "/usr/lib/go/src/runtime/proc.go");
  CHECK(fl.line == 402);
  REQUIRE(parse_file_line("C:/Program Files/Go/src/net/http/server.go:3285 +0x4b4", &fl));
  CHECK(fl.file == "C:/Program Files/Go/src/net/http/server.go");
  REQUIRE(parse_file_line("/home/u/Рабочий стол/Дамп горутин.go:14 +0x2f", &fl));
  CHECK(fl.file == "/home/u/Рабочий стол/Дамп горутин.go");
  REQUIRE(parse_file_line("?:0", &fl));
  CHECK(fl.file == "?");
  REQUIRE(parse_file_line("/src/x.go:12 pc=0x4a1b2c", &fl));
  CHECK(fl.line == 12);
  CHECK_FALSE(parse_file_line("main.main()", &fl));
  CHECK_FALSE(parse_file_line("listening on port", &fl));
}

TEST_CASE("markdown-linkified line numbers are repaired") {
  std::string out;
  REQUIRE(strip_markdown_links(
      "C:/go/src/testing/testing.go:[178](https://github.com/x/runs/1#step:4:178)8 +0xbb", &out));
  FileLine fl;
  REQUIRE(parse_file_line(out, &fl));
  CHECK(fl.line == 1788);
}

TEST_CASE("created by, elision, ancestors") {
  CreatedByLine cb;
  REQUIRE(parse_created_by("created by main.main in goroutine 1", &cb));
  CHECK(cb.func == "main.main");
  CHECK(cb.has_parent);
  CHECK(cb.parent_id == 1);
  REQUIRE(parse_created_by("created by time.goFunc", &cb));
  CHECK_FALSE(cb.has_parent);
  int32_t n = 0;
  REQUIRE(parse_elision("...21 frames elided...", &n));
  CHECK(n == 21);
  REQUIRE(parse_elision("...additional frames elided...", &n));
  CHECK(n == -1);
  uint64_t id = 0;
  REQUIRE(parse_ancestor_header("[originating from goroutine 17]:", &id));
  CHECK(id == 17);
}

TEST_CASE("debug=1 lines") {
  ProfileHeader ph;
  REQUIRE(parse_profile_header("goroutineleak profile: total 3", &ph));
  CHECK(ph.name == "goroutineleak");
  CHECK(ph.total == 3);
  CHECK_FALSE(parse_profile_header("threadcreate profile: total 12", &ph));
  uint64_t count = 0;
  REQUIRE(parse_debug1_record("5067 @ 0x46128e 0x42c5ad 0x494c01", &count));
  CHECK(count == 5067);
  Debug1Frame f;
  REQUIRE(parse_debug1_frame(
      "#\t0x89f87b\tgithub.com/nats-io/nats-server/v2/server.(*raft).fileWriter+0x25b\t"
      "D:/project/src/github.com/nats-io/nats-server/server/raft.go:3002",
      &f));
  CHECK(f.func == "github.com/nats-io/nats-server/v2/server.(*raft).fileWriter");
  CHECK(f.file == "D:/project/src/github.com/nats-io/nats-server/server/raft.go");
  CHECK(f.line == 3002);
  // Markdown ate the '#'.
  REQUIRE(parse_debug1_frame(
      "0x169320f\tgoogle.golang.org/grpc.(*ccBalancerWrapper).watcher+0x10f\t/x/b.go:122", &f));
  CHECK(f.line == 122);
  std::string_view labels;
  REQUIRE(parse_debug1_labels(R"(# labels: {"tenant":"a b", "worker":"w-1"})", &labels));
  std::string norm;
  normalize_labels(labels, &norm);
  CHECK(norm == "tenant=a b, worker=w-1");
}

TEST_CASE("log prefixes") {
  size_t n = 0;
  CHECK(detect_prefix("2024-01-01T00:00:00.000000000Z stderr F goroutine 1 [running]:", &n) ==
        LogPrefix::kCri);
  CHECK(detect_prefix("2022-12-25T16:09:45.9555131Z goroutine 1 [running]:", &n) ==
        LogPrefix::kTimestamp);
  CHECK(detect_prefix("[2021-10-14T07:19:31.756Z] goroutine 265 [chan receive]:", &n) ==
        LogPrefix::kJenkins);
  CHECK(detect_prefix("Oct 01 22:57:16 buildlet buildlet-stage0[19647]: goroutine 1 [x]:", &n) ==
        LogPrefix::kJournald);
  CHECK(detect_prefix("[pod/api-7d9/app] goroutine 1 [running]:", &n) == LogPrefix::kKubectl);
  CHECK(detect_prefix("goroutine 1 [running]:", &n) == LogPrefix::kNone);
}

TEST_CASE("state categories") {
  CHECK(categorize_state("chan receive (nil chan)") == StateCategory::kChanReceive);
  CHECK(categorize_state("sync.WaitGroup.Wait") == StateCategory::kSemacquire);
  CHECK(categorize_state("semacquire") == StateCategory::kSemacquire);
  CHECK(categorize_state("sync.Cond.Wait") == StateCategory::kSemacquire);
  CHECK(categorize_state("IO wait") == StateCategory::kIOWait);
  CHECK(categorize_state("GC worker (idle)") == StateCategory::kRuntime);
  CHECK(categorize_state("idle") == StateCategory::kRuntime);
  CHECK(categorize_state("coroutine") == StateCategory::kOther);
  CHECK(categorize_state("preempted") == StateCategory::kRunning);
  CHECK(is_permanent_wait("select (no cases)"));
  CHECK_FALSE(is_permanent_wait("select"));
}

TEST_CASE("debug=1 state inference from the visible frames") {
  CHECK(infer_state("sync.(*Mutex).Lock", "main.h").reason == "sync.Mutex.Lock");
  CHECK(infer_state("internal/poll.runtime_pollWait", "").category == StateCategory::kIOWait);
  CHECK(infer_state("time.Sleep", "main.poll").category == StateCategory::kSleep);
  CHECK(infer_state("main.consume", "").category == StateCategory::kUnknown);
}

TEST_CASE("function names: package, receiver, stdlib") {
  FuncParts p = split_func("net/http.(*Server).Serve");
  CHECK(p.package == "net/http");
  CHECK(p.receiver == "*Server");
  CHECK(p.name == "Serve");
  p = split_func("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun");
  CHECK(p.package == "gopkg.in/natefinch/lumberjack%2ev2");
  p = split_func("main.main.func1");
  CHECK(p.package == "main");
  CHECK(p.receiver.empty());
  CHECK(p.name == "main.func1");
  CHECK(is_stdlib_func("internal/poll.(*FD).Read"));
  CHECK(is_stdlib_func("runtime.gopark"));
  CHECK_FALSE(is_stdlib_func("main.main"));
  CHECK_FALSE(is_stdlib_func("github.com/x/y.F"));
  CHECK_FALSE(is_stdlib_func("myservice/handlers.Serve"));
}
