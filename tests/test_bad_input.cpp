// The bad-input catalogue (docs/robustness.md): every way a dump arrives
// mangled, through the library and through the CLI binary. For each input:
// the exit code, the one-line message, and — for truncated input — partial
// results plus a warning naming the line. Nothing may crash, hang or
// allocate without bound.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bad_input_support.h"
#include "json_check.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInput = 2;

// A small real debug=2 dump: 50 goroutines blocked sending, plus the rest.
fs::path base_dump() { return corpus_dumps_dir() / "send-leak.go1.27.debug2.txt"; }
fs::path base_debug1() { return corpus_dumps_dir() / "send-leak.go1.27.debug1.txt"; }

uint64_t total_goroutines(const LoadResult& r) {
  uint64_t n = 0;
  for (const Snapshot& s : r.snapshots) n += s.total;
  return n;
}

size_t total_groups(const LoadResult& r) {
  size_t n = 0;
  for (const Snapshot& s : r.snapshots) n += s.groups.size();
  return n;
}

std::string first_error(const LoadResult& r) {
  for (const Diagnostic& d : r.diagnostics)
    if (d.severity == Severity::kError) return d.format();
  return "";
}

// Every diagnostic of the load and of its snapshots, formatted.
std::string all_diagnostics(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.format() + "\n";
  for (const Snapshot& s : r.snapshots)
    for (const Diagnostic& d : s.diagnostics) out += d.format() + "\n";
  return out;
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  size_t at = 0;
  while ((at = s.find(from, at)) != std::string::npos) {
    s.replace(at, from.size(), to);
    at += to.size();
  }
  return s;
}

// The CLI refuses the input: exit 2 and exactly one line on stderr,
// `gorleak: PATH: <message>` with `what` in the message.
void check_cli_refuses(const fs::path& p, std::string_view what) {
  RunResult r = run_cli({p.string()});
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitInput);
  CHECK(r.out.empty());
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.rfind("gorleak: " + p.string() + ": ", 0) == 0);
  CHECK(contains(r.err, what));
}

// The CLI reads the input: exit 0, a JSON report that parses, and the
// total of its snapshots.
uint64_t check_cli_reads(const fs::path& p, std::string* err = nullptr) {
  RunResult r = run_cli({"--format", "json", p.string()});
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitOk);
  Json j;
  std::string error;
  bool valid = parse_json(r.out, &j, &error);
  INFO("json error: " << error);
  CHECK(valid);
  if (err) *err = r.err;
  uint64_t total = 0;
  if (!valid) return 0;
  const Json* snaps = j.get("snapshots");
  REQUIRE(snaps != nullptr);
  for (const Json& s : snaps->items) total += s.at("total").u64();
  return total;
}

// The text report's JSON twin, minus the source names, for comparing two
// spellings of one dump.
std::string cli_json(const fs::path& p, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(p.string());
  RunResult r = run_cli(args);
  CHECK(r.exit_code == kExitOk);
  return replace_all(r.out, p.string(), "INPUT");
}

// A goroutine header line of `text` (debug=2) at or after `from`.
size_t find_header(const std::string& text, size_t from) {
  return text.find("\ngoroutine ", from) + 1;
}

}  // namespace

TEST_CASE("empty and blank inputs are refused as empty") {
  ScratchDir dir("bad-input");
  fs::path empty = dir.write("empty.txt", "");
  fs::path blank = dir.write("blank.txt", "  \n\t\n \r\n\n   ");
  for (const fs::path& p : {empty, blank}) {
    auto l = load(p);
    CHECK_FALSE(l->result.ok);
    CHECK(contains(first_error(l->result), "empty input"));
    check_cli_refuses(p, "empty input");
  }
}

TEST_CASE("binary junk is refused as binary data") {
  ScratchDir dir("bad-input");
  std::string junk;
  uint32_t x = 12345;
  for (int i = 0; i < 8192; ++i) {
    x = x * 1103515245u + 12345u;
    junk.push_back(static_cast<char>(x >> 16));
  }
  junk[0] = 0x01;  // not a magic number of anything
  fs::path p = dir.write("junk.bin", junk);
  auto l = load(p);
  CHECK_FALSE(l->result.ok);
  CHECK(contains(first_error(l->result), "binary data"));
  check_cli_refuses(p, "binary data, not a goroutine dump");
}

TEST_CASE("NUL bytes inside a dump are paste damage, not a reason to stop") {
  std::string text = read_file(base_dump());
  auto clean = load(base_dump());
  REQUIRE(clean->result.ok);
  ScratchDir dir("bad-input");
  // A NUL inside a function name, and a line of NULs between goroutines.
  std::string damaged = replace_all(text, "main.fetchFirst.func1()", std::string("main.fetch\0First.func1()", 23));
  size_t at = find_header(damaged, 100);
  damaged.insert(at, std::string("\0\0\0\0\n", 5));
  fs::path p = dir.write("nul.txt", damaged);
  auto l = load(p);
  REQUIRE(l->result.ok);
  CHECK(total_goroutines(l->result) == total_goroutines(clean->result));
  CHECK(check_cli_reads(p) == total_goroutines(clean->result));
}

TEST_CASE("invalid UTF-8 in names and paths: JSON stays valid, U+FFFD") {
  std::string text = read_file(base_dump());
  REQUIRE(contains(text, "main.fetchFirst.func1"));
  std::string bad = replace_all(text, "main.fetchFirst.func1", "main.fetch\xff\xfe" "First.func1");
  bad = replace_all(bad, "/main.go:", "/ma\xc3(in\xed\xa0\x80.go:");
  ScratchDir dir("bad-input");
  fs::path p = dir.write("utf8.txt", bad);
  auto l = load(p);
  REQUIRE(l->result.ok);
  CHECK(total_goroutines(l->result) == total_goroutines(load(base_dump())->result));
  RunResult r = run_cli({"--format", "json", p.string()});
  CHECK(r.exit_code == kExitOk);
  std::string error;
  INFO("json error: " << error);
  CHECK(json_valid(r.out, &error));
  // The bad bytes come out as the replacement character, raw or escaped.
  CHECK((contains(r.out, "\xef\xbf\xbd") || contains(r.out, "\\ufffd")));
  CHECK_FALSE(contains(r.out, "\xff"));
  // The text report does not crash either.
  CHECK(run_cli({p.string()}).exit_code == kExitOk);
}

TEST_CASE("a gzip-compressed dump is read transparently") {
  ScratchDir dir("bad-input");
  for (const fs::path& src : {base_dump(), base_debug1()}) {
    std::string text = read_file(src);
    fs::path p = dir.write(src.filename().string() + ".gz", gzip_bytes(text));
    auto plain = load(src);
    auto packed = load(p);
    REQUIRE(packed->result.ok);
    CHECK(total_goroutines(packed->result) == total_goroutines(plain->result));
    CHECK(total_groups(packed->result) == total_groups(plain->result));
    CHECK(packed->result.lines == plain->result.lines);
    CHECK(check_cli_reads(p) == total_goroutines(plain->result));
    // Concatenated gzip members (`cat a.gz b.gz`) are one stream.
    fs::path twice = dir.write("twice.gz", gzip_bytes(text) + gzip_bytes(text));
    auto both = load(twice);
    REQUIRE(both->result.ok);
    CHECK(both->result.lines == 2 * plain->result.lines);
  }
}

TEST_CASE("a corrupt or truncated gzip says so") {
  std::string text = read_file(base_dump());
  std::string gz = gzip_bytes(text);
  ScratchDir dir("bad-input");
  std::string corrupt = gz;
  for (size_t i = gz.size() / 3; i < gz.size() / 3 + 16; ++i) corrupt[i] ^= 0x5a;
  std::string cut = gz.substr(0, gz.size() / 2);
  std::string header_only = gz.substr(0, 6);
  for (const auto& [name, bytes] : {std::pair{"corrupt.gz", corrupt}, std::pair{"cut.gz", cut},
                                    std::pair{"header.gz", header_only}}) {
    CAPTURE(name);
    fs::path p = dir.write(name, bytes);
    auto l = load(p);
    std::string diags = all_diagnostics(l->result);
    INFO("diagnostics: " << diags);
    CHECK(contains(diags, "gzip"));
    RunResult r = run_cli({p.string()});
    INFO("stderr: " << r.err);
    CHECK(contains(r.err, "gzip"));
    CHECK(r.err.rfind("gorleak: ", 0) == 0);
    if (l->result.ok) {
      // What was decompressed before the damage is reported, with a warning.
      CHECK(r.exit_code == kExitOk);
      CHECK(contains(r.err, "warning"));
    } else {
      CHECK(r.exit_code == kExitInput);
      CHECK(count_lines(r.err) == 1);
    }
  }
}

namespace {

// profile.proto bytes, spelled out: a field tag, then a length and bytes.
std::string field(uint8_t tag, std::string_view bytes) {
  return std::string(1, static_cast<char>(tag)) + std::string(1, static_cast<char>(bytes.size())) +
         std::string(bytes);
}
std::string strings_table(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view n : names) out += field(0x32, n);  // field 6, string_table
  return out;
}

// A minimal well-formed goroutine profile as Go writes it: period type
// first (field 11), sample type, one location with no symbol, one sample.
std::string pprof_goroutine_proto() {
  std::string p;
  p += field(0x5a, std::string("\x08\x01\x10\x02", 4));       // period_type {goroutine, count}
  p += std::string("\x60\x01", 2);                              // period: 1
  p += field(0x0a, std::string("\x08\x01\x10\x02", 4));       // sample_type {goroutine, count}
  p += field(0x22, std::string("\x08\x01\x18\x80\x80\x04", 6));  // location {id 1, address}
  p += field(0x12, std::string("\x0a\x01\x01\x10\x03", 5));  // sample {location [1], value [3]}
  p += strings_table({"", "goroutine", "count"});
  return p;
}

// Profiles that are not goroutine dumps or heap profiles, by their sample
// types as Go writes them.
std::string pprof_other(std::string_view period_type, std::string_view t1, std::string_view t2,
                        std::initializer_list<std::string_view> names) {
  std::string p;
  p += field(0x5a, period_type);
  p += field(0x0a, t1);
  if (!t2.empty()) p += field(0x0a, t2);
  p += strings_table(names);
  return p;
}

}  // namespace

TEST_CASE("a goroutine profile in protobuf form is read as a dump, gzipped or not") {
  ScratchDir dir("bad-input");
  fs::path gz = dir.write("goroutine.pb.gz", gzip_bytes(pprof_goroutine_proto()));
  fs::path raw = dir.write("goroutine.pb", pprof_goroutine_proto());
  for (const fs::path& p : {gz, raw}) {
    auto l = load(p);
    REQUIRE_MESSAGE(l->result.ok, first_error(l->result));
    REQUIRE(l->result.snapshots.size() == 1);
    CHECK(l->result.snapshots[0].form == Form::kProto);
    CHECK(l->result.snapshots[0].total == 3);
    CHECK(check_cli_reads(p) == 3);
  }
}

TEST_CASE("protobuf profiles: wrong field types, dangling references and cut-short data name the byte") {
  ScratchDir dir("bad-input");
  std::string good = pprof_goroutine_proto();
  struct Case {
    std::string name;
    std::string bytes;
    std::string message;
  } cases[] = {
      // Field 11 (period_type) again, as a varint instead of a message.
      {"wire-type.pb", good + "\x58\x01",
       fmt::format("byte {}: field 11 (period_type): wire type varint, expected length-delimited",
                   good.size())},
      // A sample whose value (field 2) is a fixed64.
      {"inner-type.pb", good + field(0x12, std::string("\x11\x01\x02\x03\x04\x05\x06\x07\x08", 9)),
       "field 2 (sample): Sample.value (field 2) has wire type fixed64, expected varint or packed"},
      // A sample pointing at location 9, which is not there.
      {"dangling.pb", good + field(0x12, std::string("\x0a\x01\x09\x10\x01", 5)),
       "a sample refers to location 9, which the profile does not define"},
      // A length running past the end.
      {"cut.pb", good + std::string("\x12\x40\x0a", 3), "field 2 (sample): malformed Sample message"},
      // A sample with no values, after the one with a value (found by fuzz_profile).
      {"no-value.pb", good + field(0x12, std::string("\x0a\x01\x01", 3)),
       "sample 1 has 0 values where the first had 1"},
      // Only samples with no values: no row of values at all (fuzz_profile
      // found an out-of-range read there, under UBSan).
      {"no-values.pb",
       field(0x0a, std::string("\x08\x01\x10\x02", 4)) +
           field(0x22, std::string("\x08\x01\x18\x80\x80\x04", 6)) +
           field(0x12, std::string("\x0a\x01\x01", 3)) + strings_table({"", "goroutine", "count"}),
       "samples have 0 values but the profile declares 1 sample types"},
  };
  for (const Case& c : cases) {
    fs::path p = dir.write(c.name, c.bytes);
    auto l = load(p);
    CHECK_FALSE(l->result.ok);
    CHECK_MESSAGE(contains(first_error(l->result), c.message), first_error(l->result));
    check_cli_refuses(p, c.message);
  }
}

TEST_CASE("CPU, contention and thread profiles are refused by name, also by `gorleak heap`") {
  ScratchDir dir("bad-input");
  const std::string count_ns("\x08\x03\x10\x04", 4), first("\x08\x01\x10\x02", 4);
  struct Case {
    std::string name;
    std::string bytes;
    std::string what;
  } cases[] = {
      {"cpu.pb.gz", pprof_other(count_ns, first, count_ns, {"", "samples", "count", "cpu", "nanoseconds"}),
       "a CPU profile (/debug/pprof/profile) (samples/count, cpu/nanoseconds)"},
      {"mutex.pb.gz",
       pprof_other(first, first, count_ns, {"", "contentions", "count", "delay", "nanoseconds"}),
       "a contention profile (/debug/pprof/mutex or /debug/pprof/block)"},
      {"threadcreate.pb.gz", pprof_other(first, first, "", {"", "threadcreate", "count"}),
       "a thread creation profile (/debug/pprof/threadcreate)"},
  };
  for (const Case& c : cases) {
    fs::path p = dir.write(c.name, gzip_bytes(c.bytes));
    check_cli_refuses(p, c.what);
    RunResult r = run_cli({"heap", p.string()});
    CHECK(r.exit_code == kExitInput);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
    CHECK(contains(r.err, c.what));
  }
}

TEST_CASE("heap profiles: truncated gzip, broken text records, mixed inputs in one diff") {
  ScratchDir dir("bad-input");
  std::string heap = read_file(corpus_profiles_dir() / "heap-cache.go1.27.after.heap.pb.gz");
  REQUIRE(heap.size() > 200);
  fs::path cut = dir.write("cut.pb.gz", heap.substr(0, heap.size() / 2));
  check_cli_refuses(cut, "gzip");

  std::string text = read_file(corpus_profiles_dir() / "heap-cache.go1.27.after.heap1.txt");
  size_t second = text.find('\n') + 1;
  fs::path bad_record = dir.write("bad-record.txt", text.substr(0, second) + "1: 4096 [x: 1] @ 0x1\n");
  check_cli_refuses(bad_record, "line 2: not a heap profile record");
  fs::path zero = dir.write("zero-count.txt", text.substr(0, second) + "0: 4096 [1: 4096] @ 0x1\n");
  check_cli_refuses(zero, "line 2: inuse count is 0 but inuse bytes is 4096");
  // Cut before the MemStats block: what was read, and a warning.
  fs::path cut_text = dir.write("cut.txt", text.substr(0, text.find("# runtime.MemStats") / 2));
  RunResult c = run_cli({"heap", cut_text.string()});
  CHECK(c.exit_code == kExitOk);
  CHECK(contains(c.out, "no `# runtime.MemStats` block after the records: the profile may be cut short"));

  fs::path good = corpus_profiles_dir() / "heap-cache.go1.27.after.heap.pb.gz";
  fs::path dump = corpus_dumps_dir() / "heap-cache.go1.27.after.debug1.txt";
  for (const auto& args : std::vector<std::vector<std::string>>{{"diff", good.string(), dump.string()},
                                                                {"diff", dump.string(), good.string()},
                                                                {"heap", "diff", good.string(), dump.string()},
                                                                {"heap", "diff", dump.string(), good.string()}}) {
    RunResult r = run_cli(args);
    INFO(args[1] << " stderr: " << r.err);
    CHECK(r.exit_code == kExitInput);
    CHECK(r.out.empty());
    CHECK(count_lines(r.err) == 1);
    CHECK(contains(r.err, "heap profile"));
    CHECK(contains(r.err, "goroutine dump"));
  }
  RunResult bad_index = run_cli({"heap", "--sample-index", "inuse_bytes", good.string()});
  CHECK(bad_index.exit_code == kExitInput);
  CHECK(contains(bad_index.err, "--sample-index: expected inuse_space"));
  CHECK(bad_index.out.empty());
}

TEST_CASE("a PNG is refused as an image") {
  ScratchDir dir("bad-input");
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89", 33);
  png += std::string("\0\0\0\x0aIDATx\x9c\x63\0\x01\0\0\x05\0\x01\x0d\x0a\x2d\xb4\0\0\0\0IEND\xae\x42\x60\x82", 34);
  fs::path p = dir.write("screenshot.png", png);
  check_cli_refuses(p, "an image file, not a goroutine dump");
}

TEST_CASE("a Java thread dump is recognised") {
  const char* java =
      "2024-03-05 10:12:44\n"
      "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode, sharing):\n"
      "\n"
      "Threads class SMR info:\n"
      "_java_thread_list=0x00007f3c2c001f40, length=12, elements={\n"
      "0x00007f3c6c027e60, 0x00007f3c6c14d0a0\n"
      "}\n"
      "\n"
      "\"main\" #1 prio=5 os_prio=0 cpu=412.33ms elapsed=73.20s tid=0x00007f3c6c027e60 "
      "nid=0x1a03 waiting on condition  [0x00007f3c72ffe000]\n"
      "   java.lang.Thread.State: TIMED_WAITING (sleeping)\n"
      "\tat java.lang.Thread.sleep(java.base@17.0.9/Native Method)\n"
      "\tat com.example.App.main(App.java:42)\n"
      "\n"
      "\"pool-1-thread-1\" #14 prio=5 os_prio=0 cpu=0.51ms elapsed=72.88s "
      "tid=0x00007f3c6c14d0a0 nid=0x1a1b waiting on condition  [0x00007f3c2a7fe000]\n"
      "   java.lang.Thread.State: WAITING (parking)\n"
      "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.9/Native Method)\n"
      "\t- parking to wait for  <0x000000071a0a5b40> (a java.util.concurrent.locks."
      "AbstractQueuedSynchronizer$ConditionObject)\n"
      "\tat java.util.concurrent.locks.LockSupport.park(java.base@17.0.9/LockSupport.java:341)\n"
      "\tat java.util.concurrent.LinkedBlockingQueue.take(java.base@17.0.9/"
      "LinkedBlockingQueue.java:435)\n"
      "\tat java.lang.Thread.run(java.base@17.0.9/Thread.java:840)\n"
      "\n"
      "JNI global refs: 15, weak refs: 0\n";
  ScratchDir dir("bad-input");
  fs::path p = dir.write("jstack.txt", java);
  auto l = load(p);
  CHECK_FALSE(l->result.ok);
  CHECK(contains(first_error(l->result), "Java thread dump"));
  check_cli_refuses(p, "this is a Java thread dump, not a Go goroutine dump");
}

TEST_CASE("a `go tool pprof -top` report is recognised") {
  const char* top =
      "File: server\n"
      "Type: goroutine\n"
      "Time: Mar 5, 2024 at 10:12am (UTC)\n"
      "Showing nodes accounting for 52, 100% of 52 total\n"
      "      flat  flat%   sum%        cum   cum%\n"
      "        51 98.08% 98.08%         51 98.08%  runtime.gopark\n"
      "         1  1.92%   100%          1  1.92%  runtime/pprof.runtime_goroutineProfileWithLabels\n"
      "         0     0%   100%         50 96.15%  main.fetchFirst.func1\n"
      "         0     0%   100%         51 98.08%  runtime.chansend1\n";
  ScratchDir dir("bad-input");
  fs::path p = dir.write("top.txt", top);
  check_cli_refuses(p, "`go tool pprof -top` output");
  CHECK(contains(run_cli({p.string()}).err, "debug=2"));
}

TEST_CASE("truncated dumps give partial results and a warning naming the line") {
  std::string text = read_file(base_dump());
  auto full = load(base_dump());
  REQUIRE(full->result.ok);
  uint64_t full_total = total_goroutines(full->result);
  ScratchDir dir("bad-input");

  // Cut points in the middle of the dump, each inside a different token.
  size_t mid = text.size() / 2;
  size_t header = find_header(text, mid);
  size_t frame_file = text.find("\n\t/", header) + 1;
  std::vector<std::pair<std::string, size_t>> cuts = {
      {"mid-frame", frame_file + 12},                       // inside a file path
      {"mid-header", header + std::strlen("goroutine 1")},  // inside the id
      {"mid-state", text.find('[', header) + 4},            // inside "[chan send"
      {"mid-number", text.find(" +0x", frame_file) + 4},    // inside a PC offset
  };
  for (const auto& [what, at] : cuts) {
    CAPTURE(what);
    std::string cut = text.substr(0, at);
    uint64_t cut_line = static_cast<uint64_t>(std::count(cut.begin(), cut.end(), '\n')) + 1;
    fs::path p = dir.write(what + ".txt", cut);
    auto l = load(p);
    REQUIRE(l->result.ok);
    uint64_t got = total_goroutines(l->result);
    CHECK(got > 0);
    CHECK(got < full_total);
    std::string diags = all_diagnostics(l->result);
    INFO("diagnostics: " << diags);
    // The warning names where parsing stopped.
    CHECK(contains(diags, fmt::format("{}:{}: ", p.string(), cut_line)));
    RunResult r = run_cli({"--format", "json", p.string()});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == kExitOk);
    CHECK(json_valid(r.out, nullptr));
    CHECK(contains(r.out, "\"truncated\": true"));
    // The text report shows the warning too ("warning: line N: …").
    RunResult t = run_cli({p.string()});
    CHECK(t.exit_code == kExitOk);
    CHECK(contains(t.out + t.err, fmt::format("line {}: input ends", cut_line)));
  }
}

TEST_CASE("stdin closed early: partial dump on a pipe, and no stdin at all") {
  std::string text = read_file(base_dump());
  std::string cut = text.substr(0, text.size() / 2);
  RunResult r = run_cli({"--format", "json", "-"}, cut);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitOk);
  CHECK(json_valid(r.out, nullptr));
  CHECK(contains(r.out, "\"truncated\": true"));

  RunResult empty = run_cli_guarded({"-"}, StdinMode::kEmpty);
  CHECK(empty.exit_code == kExitInput);
  CHECK(contains(empty.err, "gorleak: -: "));
  CHECK(contains(empty.err, "empty input"));

  RunResult closed = run_cli_guarded({"-"}, StdinMode::kClosed);
  INFO("stderr: " << closed.err);
  CHECK(closed.exit_code == kExitInput);
  CHECK(count_lines(closed.err) == 1);
  CHECK(contains(closed.err, "gorleak: -: "));
}

TEST_CASE("a debug=2 dump cut at exactly 64 MiB says why and what to fetch") {
  // Go's pprof stops writing debug=2 output at 64 MiB, often mid-line. Build
  // one from a real dump's goroutines with fresh ids until it is that big.
  std::string text = read_file(base_dump());
  size_t first = text.find("\n\ngoroutine ") + 2;
  std::string body = text.substr(first);
  if (body.back() != '\n') body += '\n';
  if (body.substr(body.size() - 2) != "\n\n") body += '\n';
  constexpr size_t kLimit = 64u << 20;
  ScratchDir dir("bad-input");
  fs::path p = dir.path() / "big.debug2.txt";
  {
    std::ofstream out(p, std::ios::binary);
    std::string head = text.substr(0, first);
    out << head;
    size_t written = head.size();
    uint64_t next_id = 1000;
    while (written < kLimit) {
      // Renumber every goroutine header of one copy of the body.
      std::string copy;
      copy.reserve(body.size() + 1024);
      size_t pos = 0;
      while (pos < body.size()) {
        size_t eol = body.find('\n', pos);
        std::string_view line(body.data() + pos, eol - pos + 1);
        if (line.rfind("goroutine ", 0) == 0) {
          size_t sp = line.find(' ', 10);
          copy += fmt::format("goroutine {}{}", next_id++, line.substr(sp));
        } else {
          copy += line;
        }
        pos = eol + 1;
      }
      size_t n = std::min(copy.size(), kLimit - written);
      out.write(copy.data(), static_cast<std::streamsize>(n));
      written += n;
    }
  }
  REQUIRE(fs::file_size(p) == kLimit);
  // Make sure the cut is mid-line, like the real thing.
  {
    std::ifstream in(p, std::ios::binary);
    in.seekg(-1, std::ios::end);
    char last = 0;
    in.get(last);
    if (last == '\n') {
      fs::resize_file(p, kLimit - 1);
      std::ofstream app(p, std::ios::binary | std::ios::app);
      app << 'x';
    }
  }
  auto l = load(p);
  REQUIRE(l->result.ok);
  std::string diags = all_diagnostics(l->result);
  INFO("diagnostics: " << diags.substr(0, 2000));
  CHECK(contains(diags, "64 MiB"));
  CHECK(contains(diags, "debug=1"));
  bool truncated = false;
  for (const Snapshot& s : l->result.snapshots) truncated |= s.truncated;
  CHECK(truncated);
  RunResult r = run_cli({"--top", "1", p.string()});
  CHECK(r.exit_code == kExitOk);
  CHECK(contains(r.out + r.err, "64 MiB"));
}

TEST_CASE("a 100 MB single line is skipped with bounded memory") {
  ScratchDir dir("bad-input");
  std::string text = read_file(base_dump());
  size_t at = find_header(text, text.size() / 2);
  fs::path p = dir.path() / "long-line.txt";
  constexpr size_t kLong = 100u * 1000 * 1000;
  {
    std::ofstream out(p, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(at));
    std::string chunk(1 << 20, 'a');
    for (size_t done = 0; done < kLong; done += chunk.size())
      out.write(chunk.data(), static_cast<std::streamsize>(std::min(chunk.size(), kLong - done)));
    out << "\n\n";
    out.write(text.data() + at, static_cast<std::streamsize>(text.size() - at));
  }
  auto full = load(base_dump());
  struct rusage before {};
  getrusage(RUSAGE_SELF, &before);
  auto l = load(p);
  struct rusage after {};
  getrusage(RUSAGE_SELF, &after);
  REQUIRE(l->result.ok);
  // A memory bound, not a timing one: the line is never held whole.
  CHECK(after.ru_maxrss - before.ru_maxrss < 48 * 1024);
  CHECK(total_goroutines(l->result) == total_goroutines(full->result));
  std::string diags = all_diagnostics(l->result);
  INFO("diagnostics: " << diags);
  CHECK(contains(diags, "100000000 bytes"));

  RunResult r = run_cli({"--format", "json", p.string()});
  CHECK(r.exit_code == kExitOk);
  CHECK(json_valid(r.out, nullptr));
  // The CLI's peak resident set stays far below the line's size.
  CHECK(children_max_rss_kib() < 60 * 1024 + (sizeof(void*) == 8 ? 200 * 1024 : 0));

  // The same line alone, no dump around it: refused, not buffered.
  fs::path alone = dir.path() / "alone.txt";
  {
    std::ofstream out(alone, std::ios::binary);
    std::string chunk(1 << 20, 'b');
    for (size_t done = 0; done < kLong; done += chunk.size())
      out.write(chunk.data(), static_cast<std::streamsize>(std::min(chunk.size(), kLong - done)));
  }
  RunResult a = run_cli({alone.string()});
  CHECK(a.exit_code == kExitInput);
  CHECK(count_lines(a.err) == 1);
}

TEST_CASE("10,000-frame stacks") {
  std::string d2 = "goroutine 1 [running]:\n";
  for (int i = 0; i < 10000; ++i)
    d2 += fmt::format("main.recurse({:#x})\n\t/app/main.go:{} +0x1d\n", i, 10 + i % 7);
  d2 += "main.main()\n\t/app/main.go:40 +0x25\n\n";
  d2 += "goroutine 2 [chan receive]:\nmain.worker()\n\t/app/main.go:50 +0x2e\n"
        "created by main.main in goroutine 1\n\t/app/main.go:45 +0x85\n";
  std::string d1 = "goroutine profile: total 3\n3 @";
  for (int i = 0; i < 10000; ++i) d1 += fmt::format(" {:#x}", 0x401000 + i * 16);
  d1 += "\n";
  for (int i = 0; i < 10000; ++i)
    d1 += fmt::format("#\t{:#x}\tmain.recurse+0x1d\t/app/main.go:{}\n", 0x401000 + i * 16, 10 + i % 7);
  ScratchDir dir("bad-input");
  fs::path p2 = dir.write("deep.debug2.txt", d2);
  fs::path p1 = dir.write("deep.debug1.txt", d1);
  auto l2 = load(p2);
  REQUIRE(l2->result.ok);
  CHECK(total_goroutines(l2->result) == 2);
  size_t deepest = 0;
  for (const Group& g : l2->result.snapshots.at(0).groups)
    deepest = std::max(deepest, l2->catalog.stacks.get(g.stack).frames.size());
  CHECK(deepest == 10001);
  auto l1 = load(p1);
  REQUIRE(l1->result.ok);
  CHECK(total_goroutines(l1->result) == 3);
  CHECK(check_cli_reads(p2) == 2);
  CHECK(check_cli_reads(p1) == 3);
  RunResult full = run_cli({"--full", p2.string()});
  CHECK(full.exit_code == kExitOk);
}

TEST_CASE("goroutine ids and counts beyond 2^63 and 2^64") {
  const std::string stack = "main.worker()\n\t/app/main.go:50 +0x2e\n";
  std::string ids = "goroutine 9223372036854775808 [chan receive]:\n" + stack + "\n" +
                    "goroutine 18446744073709551615 [chan receive]:\n" + stack + "\n" +
                    "goroutine 18446744073709551616 [chan receive]:\n" + stack + "\n" +
                    "goroutine 99999999999999999999999999 [chan receive]:\n" + stack + "\n" +
                    "goroutine 7 [chan receive]:\n" + stack;
  const std::string rec = " @ 0x43e5a6 0x44e2cf\n#\t0x44e2ce\tmain.worker+0x2e\t/app/main.go:50\n\n";
  std::string counts = "goroutine profile: total 18446744073709551615\n" +
                       std::string("9223372036854775808") + rec +
                       std::string("9223372036854775808") + rec +
                       std::string("18446744073709551616") + rec + "5" + rec;
  ScratchDir dir("bad-input");
  fs::path pi = dir.write("ids.txt", ids);
  fs::path pc = dir.write("counts.txt", counts);
  for (const fs::path& p : {pi, pc}) {
    CAPTURE(p);
    auto l = load(p);
    REQUIRE(l->result.ok);
    std::string diags = all_diagnostics(l->result);
    INFO("diagnostics: " << diags);
    for (const Snapshot& s : l->result.snapshots) {
      uint64_t sum = 0;
      bool overflow = false;
      for (const Group& g : s.groups) {
        overflow |= sum + g.count < sum;
        sum += g.count;
      }
      // Counts never wrap around: the total is the true sum or saturates.
      CHECK_FALSE(overflow);
      CHECK(sum == s.total);
    }
    std::string err;
    check_cli_reads(p, &err);
  }
  // Ids: all five are goroutines; the two past 2^64 are reported by line.
  auto li = load(pi);
  CHECK(total_goroutines(li->result) == 5);
  std::string di = all_diagnostics(li->result);
  CHECK(contains(di, pi.string() + ":9: goroutine id does not fit in 64 bits"));
  CHECK(contains(di, pi.string() + ":13: goroutine id does not fit in 64 bits"));
  // Counts: no process holds 2^40 goroutines, so larger counts are damage:
  // each such record is skipped with a warning naming its line, and the
  // totals cannot wrap around.
  auto lc = load(pc);
  CHECK(total_goroutines(lc->result) == 5);
  std::string dc = all_diagnostics(lc->result);
  for (int line : {2, 5, 8}) {
    CAPTURE(line);
    CHECK(contains(dc, fmt::format("{}:{}: goroutine count ", pc.string(), line)));
  }
  CHECK(contains(dc, "18446744073709551616 is impossible"));
  RunResult r = run_cli({pc.string()});
  CHECK(r.exit_code == kExitOk);
  CHECK(contains(r.out + r.err, "is impossible"));
}

TEST_CASE("negative or absurd wait minutes") {
  const std::string stack = "main.worker()\n\t/app/main.go:50 +0x2e\n\n";
  std::string text = "goroutine 5 [chan receive, -5 minutes]:\n" + stack +
                     "goroutine 6 [chan receive, 99999999999999999999999 minutes]:\n" + stack +
                     "goroutine 7 [chan receive, 9223372036854775807 minutes]:\n" + stack +
                     "goroutine 8 [chan receive, 1e9 minutes]:\n" + stack +
                     "goroutine 9 [chan receive, minutes]:\n" + stack +
                     "goroutine 10 [chan receive, 3 minutes]:\n" + stack;
  ScratchDir dir("bad-input");
  fs::path p = dir.write("minutes.txt", text);
  auto l = load(p);
  REQUIRE(l->result.ok);
  CHECK(total_goroutines(l->result) == 6);
  for (const Snapshot& s : l->result.snapshots)
    for (const Group& g : s.groups) {
      CHECK(g.min_wait >= -1);
      CHECK(g.min_wait <= g.max_wait);
    }
  CHECK(check_cli_reads(p) == 6);
}

TEST_CASE("headers with no frames, frames with no header") {
  ScratchDir dir("bad-input");
  std::string headers = "goroutine 5 [chan receive]:\n\ngoroutine 6 [select]:\n\n"
                        "goroutine 7 [running]:\ngoroutine running on other thread; stack unavailable\n";
  fs::path ph = dir.write("headers.txt", headers);
  auto lh = load(ph);
  REQUIRE(lh->result.ok);
  CHECK(total_goroutines(lh->result) == 3);
  CHECK(check_cli_reads(ph) == 3);

  std::string text = read_file(base_dump());
  size_t at = find_header(text, 0);
  size_t end = text.find("\n\n", at);
  std::string frames = text.substr(text.find('\n', at) + 1, end - text.find('\n', at));
  fs::path pf = dir.write("frames.txt", frames);
  auto lf = load(pf);
  // A bare stack (say, pasted from one goroutine) is either read as one
  // goroutine or refused with a clear message; never a crash.
  if (lf->result.ok) {
    CHECK(total_goroutines(lf->result) == 1);
    CHECK(check_cli_reads(pf) == 1);
  } else {
    check_cli_refuses(pf, "no goroutine dump found");
  }
}

TEST_CASE("interleaved dumps") {
  std::string a = read_file(base_dump());
  std::string b = read_file(corpus_dumps_dir() / "send-leak.go1.27.debug1.txt");
  auto la = load(base_dump());
  auto lb = load(corpus_dumps_dir() / "send-leak.go1.27.debug1.txt");
  ScratchDir dir("bad-input");
  // Whole dumps one after another: one snapshot each.
  fs::path cat = dir.write("concatenated.txt", b + "\n" + a);
  auto lc = load(cat);
  REQUIRE(lc->result.ok);
  CHECK(lc->result.snapshots.size() >= 2);
  CHECK(total_goroutines(lc->result) == total_goroutines(la->result) + total_goroutines(lb->result));
  // Two writers on one log, line by line: garbage in, but bounded garbage out.
  std::string mixed;
  size_t pa = 0, pb = 0;
  while (pa < a.size() || pb < b.size()) {
    for (int k = 0; k < 3 && pa < a.size(); ++k) {
      size_t e = a.find('\n', pa);
      e = e == std::string::npos ? a.size() : e + 1;
      mixed.append(a, pa, e - pa);
      pa = e;
    }
    if (pb < b.size()) {
      size_t e = b.find('\n', pb);
      e = e == std::string::npos ? b.size() : e + 1;
      mixed.append(b, pb, e - pb);
      pb = e;
    }
  }
  fs::path pm = dir.write("interleaved.txt", mixed);
  auto lm = load(pm);
  if (lm->result.ok) {
    for (const Snapshot& s : lm->result.snapshots) CHECK(s.last_line <= lm->result.lines);
    RunResult r = run_cli({"--format", "json", pm.string()});
    CHECK(r.exit_code == kExitOk);
    CHECK(json_valid(r.out, nullptr));
  } else {
    check_cli_refuses(pm, "");
  }
}

TEST_CASE("a directory, a missing file, an unreadable file") {
  ScratchDir dir("bad-input");
  check_cli_refuses(dir.path(), "is a directory, not a dump file");
  auto ld = load(dir.path());
  CHECK_FALSE(ld->result.ok);
  fs::path missing = dir.path() / "missing.txt";
  check_cli_refuses(missing, "no such file");

  fs::path secret = dir.write("secret.txt", read_file(base_dump()));
  chmod(secret.c_str(), 0);
  if (geteuid() == 0) {
    MESSAGE("running as root: permission bits do not stop root, skipping the EACCES case");
  } else {
    check_cli_refuses(secret, "permission denied");
  }
}

TEST_CASE("a FIFO: with a writer it is read to the end, with none it does not hang") {
  ScratchDir dir("bad-input");
  fs::path fifo = dir.path() / "dump.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);

  // No writer: opening must not block and the empty stream is refused.
  RunResult none = run_cli_guarded({fifo.string()}, StdinMode::kEmpty, 60);
  CHECK(none.exit_code == kExitInput);
  CHECK(contains(none.err, "empty input"));

  // A writer that streams more than a pipe holds, so the CLI must read
  // while it writes. This process keeps a reader open meanwhile, so the
  // writer's open() cannot block and its data cannot be lost.
  std::string text = read_file(base_dump());
  std::string payload;
  for (int i = 0; i < 10; ++i) payload += text + "\n";
  int keep = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(keep >= 0);
  int sync[2];
  REQUIRE(pipe(sync) == 0);
  pid_t writer = fork();
  if (writer == 0) {
    // The parent's reader is not the writer's: were it kept here, a CLI
    // that stopped reading early would leave this write blocked forever
    // (and the test hung in waitpid) instead of failing on EPIPE.
    close(keep);
    close(sync[0]);
    int fd = open(fifo.c_str(), O_WRONLY);
    char ok = 1;
    if (write(sync[1], &ok, 1) != 1) _exit(3);
    size_t done = 0;
    while (done < payload.size()) {
      ssize_t n = write(fd, payload.data() + done, payload.size() - done);
      if (n <= 0) _exit(4);
      done += static_cast<size_t>(n);
    }
    close(fd);
    _exit(0);
  }
  char ok = 0;
  REQUIRE(read(sync[0], &ok, 1) == 1);
  RunResult r = run_cli_guarded({"--format", "json", fifo.string()}, StdinMode::kEmpty, 120);
  close(keep);
  int status = 0;
  waitpid(writer, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitOk);
  Json j;
  REQUIRE(parse_json(r.out, &j, nullptr));
  uint64_t total = 0;
  for (const Json& s : j.at("snapshots").items) total += s.at("total").u64();
  CHECK(total == 10 * total_goroutines(load(base_dump())->result));
  close(sync[0]);
  close(sync[1]);
}

TEST_CASE("CRLF line endings and tabs turned into spaces read the same") {
  auto plain = load(base_dump());
  std::string text = read_file(base_dump());
  ScratchDir dir("bad-input");
  std::vector<std::pair<std::string, std::string>> variants = {
      {"crlf.txt", replace_all(text, "\n", "\r\n")},
      {"spaces8.txt", replace_all(text, "\t", "        ")},
      {"spaces4.txt", replace_all(text, "\t", "    ")},
      {"space1.txt", replace_all(text, "\t", " ")},
  };
  std::string reference = cli_json(base_dump());
  for (const auto& [name, bytes] : variants) {
    CAPTURE(name);
    fs::path p = dir.write(name, bytes);
    auto l = load(p);
    REQUIRE(l->result.ok);
    CHECK(total_goroutines(l->result) == total_goroutines(plain->result));
    CHECK(total_groups(l->result) == total_groups(plain->result));
    CHECK(check_cli_reads(p) == total_goroutines(plain->result));
  }
  // CRLF is the same dump: the same report, byte for byte.
  CHECK(cli_json(dir.path() / "crlf.txt") == reference);
}

TEST_CASE("a log prefix on every line is stripped, whichever collector") {
  auto plain = load(base_dump());
  std::string text = read_file(base_dump());
  std::vector<std::pair<std::string, std::string>> prefixes = {
      {"cri", "2024-01-15T10:00:00.123456789Z stderr F "},
      {"github-actions", "2024-01-15T10:00:00.1234567Z "},
      {"jenkins", "[2024-01-15T10:00:00.123Z] "},
      {"journald", "Jan 15 10:00:00 host app[1234]: "},
      {"kubectl", "[pod/app-7d9f8-x2x/app] "},
  };
  ScratchDir dir("bad-input");
  std::string reference = cli_json(base_dump());
  for (const auto& [name, prefix] : prefixes) {
    CAPTURE(name);
    std::string prefixed;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t e = text.find('\n', pos);
      e = e == std::string::npos ? text.size() : e + 1;
      prefixed += prefix;
      prefixed.append(text, pos, e - pos);
      pos = e;
    }
    fs::path p = dir.write(name + ".log", prefixed);
    auto l = load(p);
    REQUIRE(l->result.ok);
    CHECK(total_goroutines(l->result) == total_goroutines(plain->result));
    CHECK(total_groups(l->result) == total_groups(plain->result));
    CHECK(check_cli_reads(p) == total_goroutines(plain->result));
  }
}
