// One input split across threads (pipeline/split_load.h) must give exactly
// what one thread gives: the same snapshots, groups, line numbers, warnings
// and report bytes, for every dump dialect in the corpus, at block sizes
// small enough that every goroutine boundary becomes a cut.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "pipeline/block_reader.h"
#include "pipeline/load.h"
#include "report/json_report.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

// Everything a load produces, as text: the JSON report (every group) plus
// what the report leaves out.
std::string describe(const Loaded& l) {
  std::string out;
  write_json_report(l.result.snapshots, l.catalog, ReportOptions{}, GroupFilter{}, &out);
  out += fmt::format("ok={} bytes={} lines={}\n", l.result.ok, l.result.bytes, l.result.lines);
  for (const Diagnostic& d : l.result.diagnostics)
    out += fmt::format("diag {}:{} {}\n", d.line, static_cast<int>(d.severity), d.message);
  for (const Snapshot& s : l.result.snapshots) {
    out += fmt::format("snapshot {}-{} skipped={}\n", s.first_line, s.last_line, s.skipped_lines);
    for (const Group& g : s.groups)
      out += fmt::format("group {} {} {}\n", g.first_line, g.count, g.labels);
  }
  return out;
}

LoadOptions split_options(unsigned jobs, size_t block) {
  LoadOptions o;
  o.jobs = jobs;
  o.split_block_bytes = block;
  return o;
}

struct Totals {
  uint64_t blocks = 0;
  uint64_t absorbed = 0;
};

void check_same(const std::string& name, const std::string& text, Totals* totals,
                GroupBy group_by = GroupBy::kStack) {
  CAPTURE(name);
  LoadOptions sequential;
  sequential.group.group_by = group_by;
  std::unique_ptr<Loaded> one = load_text(text, sequential);
  std::string want = describe(*one);
  for (auto [jobs, block] : {std::pair<unsigned, size_t>{2, 1024}, {3, 1500}, {2, 64 * 1024}}) {
    CAPTURE(jobs);
    CAPTURE(block);
    LoadOptions options = split_options(jobs, block);
    options.group.group_by = group_by;
    std::unique_ptr<Loaded> many = load_text(text, options);
    CHECK(describe(*many) == want);
    totals->blocks += many->result.split_blocks;
    totals->absorbed += many->result.split_absorbed;
  }
}

}  // namespace

TEST_CASE("split: every corpus dump reads the same on 1, 2 and 3 threads") {
  Totals totals;
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt")) check_same(p.filename().string(), read_file(p), &totals);
  MESSAGE(fmt::format("{} blocks, {} absorbed", totals.blocks, totals.absorbed));
  // Most blocks of most dumps start at a plain goroutine header: unless the
  // workers' results are really used, this test would prove nothing.
  CHECK(totals.absorbed * 2 > totals.blocks);
}

TEST_CASE("split: --group-by function reads the same on several threads") {
  Totals totals;
  size_t n = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt"))
    if (n++ % 5 == 0)
      check_same(p.filename().string(), read_file(p), &totals, GroupBy::kFunction);
  CHECK(totals.absorbed > 0);
}

TEST_CASE("split: the public corpus reads the same on several threads") {
  if (!shared_available()) return;
  Totals totals;
  for (const auto& p : list_files(shared_dir() / "corpus-public")) {
    if (p.extension() == ".md") continue;
    check_same(p.filename().string(), read_file(p), &totals);
  }
  CHECK(totals.absorbed > 0);
}

TEST_CASE("split: concatenated dumps of every form, with noise between them") {
  // Cuts then fall at snapshot boundaries, repeated `goroutine 1` headers,
  // debug=1 profiles after debug=2 dumps, crashes and log lines.
  std::string all;
  size_t n = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt")) {
    if (n++ % 7 != 0) continue;
    all += read_file(p);
    all += "\nsome log line between dumps\n\n";
  }
  Totals totals;
  check_same("concatenation", all, &totals);
  CHECK(totals.absorbed > 0);
}

TEST_CASE("split: edge cases at block boundaries") {
  std::string block = read_file(corpus_dumps_dir() / "send-leak.go1.22.debug2.txt");
  Totals totals;
  SUBCASE("no final newline") {
    std::string t = block;
    while (!t.empty() && t.back() == '\n') t.pop_back();
    check_same("cut", t, &totals);
  }
  SUBCASE("cut mid-goroutine") { check_same("half", block.substr(0, block.size() * 2 / 3), &totals); }
  SUBCASE("CRLF line ends") {
    std::string t;
    for (char c : block) {
      if (c == '\n') t += '\r';
      t += c;
    }
    check_same("crlf", t, &totals);
  }
  SUBCASE("a line longer than the limit and longer than a block") {
    std::string t = block + "\n" + std::string(3 << 20, 'x') + "\n" + block;
    check_same("overlong", t, &totals);
  }
  SUBCASE("two dumps: the second goroutine 1 starts a new snapshot") {
    check_same("twice", block + "\n" + block, &totals);
  }
}

TEST_CASE("find_block_cut: only before a header or record after a blank line") {
  Form form = Form::kCrash;
  CHECK(find_block_cut("goroutine 1 [running]:\nmain.main()\n", &form) == 0);
  std::string_view d2 = "goroutine 1 [running]:\nmain.main()\n\ngoroutine 7 [select]:\nx()\n";
  CHECK(find_block_cut(d2, &form) == d2.find("goroutine 7"));
  CHECK(form == Form::kDebug2);
  std::string_view d1 = "goroutine profile: total 3\n2 @ 0x1\n#\t0x1\tf+0x1\t/f.go:1\n\n1 @ 0x2\n";
  CHECK(find_block_cut(d1, &form) == d1.find("1 @ 0x2"));
  CHECK(form == Form::kDebug1);
  CHECK(find_block_cut("a\n\ngoroutine profile: total 3\n", &form) == 0);
  CHECK(find_block_cut("a\n\ngoroutine x [running]:\n", &form) == 0);
}
