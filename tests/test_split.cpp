// One input split across threads (pipeline/split_load.h) must give exactly
// what one thread gives: the same snapshots, groups, line numbers, warnings
// and report bytes, for every dump dialect in the corpus, at block sizes
// small enough that every goroutine boundary becomes a cut.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include "bad_input_support.h"
#include "pipeline/block_reader.h"
#include "pipeline/load.h"
#include "pipeline/worker_backoff.h"
#include "read/mapped_file_source.h"
#include "read/truncation_guard.h"
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
  uint64_t file_blocks = 0;  // split from a file, mapping it
  uint64_t mapped = 0;
  uint64_t read_blocks = 0;  // split from a file, reading it with pread()
  uint64_t read_mapped = 0;  // must stay 0
  uint64_t worker_read = 0;  // of read_blocks, given to a worker with its head unread
};

// Reads `text` on one thread, then split: from memory (blocks are copied)
// and, with `as_file`, from a file (blocks are pread() from it, or
// mappings of it).
void check_same(const std::string& name, const std::string& text, Totals* totals,
                GroupBy group_by = GroupBy::kStack, const ScratchDir* as_file = nullptr) {
  CAPTURE(name);
  LoadOptions sequential;
  sequential.group.group_by = group_by;
  std::unique_ptr<Loaded> one = load_text(text, sequential);
  std::string want = describe(*one);
  std::filesystem::path file;
  std::string want_file;  // names the file where `want` names "<text>"
  if (as_file != nullptr) {
    file = as_file->write("dump.txt", text);
    want_file = describe(*load(file, sequential));
  }
  for (auto [jobs, block] : {std::pair<unsigned, size_t>{2, 1024}, {3, 1500}, {2, 64 * 1024}}) {
    CAPTURE(jobs);
    CAPTURE(block);
    LoadOptions options = split_options(jobs, block);
    options.group.group_by = group_by;
    std::unique_ptr<Loaded> many = load_text(text, options);
    CHECK(describe(*many) == want);
    totals->blocks += many->result.split_blocks;
    totals->absorbed += many->result.split_absorbed;
    if (file.empty()) continue;
    // By default a file's blocks are read with pread(); mapped on request.
    std::unique_ptr<Loaded> read = load(file, options);
    CHECK(describe(*read) == want_file);
    totals->read_blocks += read->result.split_blocks;
    totals->read_mapped += read->result.split_mapped;
    totals->worker_read += read->result.split_worker_read;
    options.map_window_bytes = kDefaultMapWindowBytes;
    std::unique_ptr<Loaded> mapped = load(file, options);
    CHECK(describe(*mapped) == want_file);
    totals->file_blocks += mapped->result.split_blocks;
    totals->mapped += mapped->result.split_mapped;
    // A mapped block is read where it is; only one read with pread() (where
    // mapping failed) leaves its head to a worker.
    CHECK(mapped->result.split_mapped + mapped->result.split_worker_read <=
          mapped->result.split_blocks);
  }
}

// The goroutine blocks of a corpus dump but goroutine 1, whose header would
// start a new dump each time they are repeated.
std::string goroutines_but_1() {
  std::string dump = read_file(corpus_dumps_dir() / "send-leak.go1.22.debug2.txt");
  std::string body;
  for (size_t at = 0; at < dump.size();) {
    size_t end = dump.find("\n\n", at);
    end = end == std::string::npos ? dump.size() : end + 2;
    std::string_view block(dump.data() + at, end - at);
    if (!block.starts_with("goroutine 1 [")) body += block;
    at = end;
  }
  REQUIRE(body.size() > 1000);
  return body;
}

// One dump whose goroutines (but goroutine 1) repeat until the text holds
// at least `bytes`.
std::string repeated_dump(size_t bytes) {
  std::string big = read_file(corpus_dumps_dir() / "send-leak.go1.22.debug2.txt") + "\n";
  std::string body = goroutines_but_1();
  while (big.size() < bytes) big += body;
  return big;
}

}  // namespace

TEST_CASE("split: every corpus dump reads the same on 1, 2 and 3 threads") {
  Totals totals;
  ScratchDir dir("split-corpus");
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt"))
    check_same(p.filename().string(), read_file(p), &totals, GroupBy::kStack, &dir);
  MESSAGE(fmt::format("{} blocks, {} absorbed; from files: {} blocks, {} mapped", totals.blocks,
                      totals.absorbed, totals.file_blocks, totals.mapped));
  // Most blocks start at a plain goroutine header: unless the workers'
  // results are really used, this test would prove nothing. (Library
  // goroutines run to 2 KB, longer than the 1 KiB blocks used here, so
  // fewer blocks hold a header than with stdlib-only dumps: 49% against
  // 54% when the library corpus came in.)
  CHECK(totals.absorbed * 5 > totals.blocks * 2);
  // A file's blocks are mappings of it, not copies.
  CHECK(totals.file_blocks > totals.blocks / 2);
  CHECK(totals.mapped == totals.file_blocks);
  CHECK(totals.read_blocks == totals.file_blocks);
  CHECK(totals.read_mapped == 0);
  // Most blocks for workers leave their head to the worker to read.
  CHECK(totals.worker_read > 0);
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
  ScratchDir dir("split-public");
  for (const auto& p : list_files(shared_dir() / "corpus-public")) {
    if (p.extension() == ".md") continue;
    check_same(p.filename().string(), read_file(p), &totals, GroupBy::kStack, &dir);
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
  ScratchDir dir("split-concat");
  check_same("concatenation", all, &totals, GroupBy::kStack, &dir);
  CHECK(totals.absorbed > 0);
  CHECK(totals.mapped == totals.file_blocks);
}

TEST_CASE("split: edge cases at block boundaries, from memory and from a file") {
  std::string block = read_file(corpus_dumps_dir() / "send-leak.go1.22.debug2.txt");
  Totals totals;
  ScratchDir dir("split-edges");
  const GroupBy by = GroupBy::kStack;
  SUBCASE("no final newline") {
    std::string t = block;
    while (!t.empty() && t.back() == '\n') t.pop_back();
    check_same("cut", t, &totals, by, &dir);
  }
  SUBCASE("cut mid-goroutine") {
    check_same("half", block.substr(0, block.size() * 2 / 3), &totals, by, &dir);
  }
  SUBCASE("CRLF line ends") {
    std::string t;
    for (char c : block) {
      if (c == '\n') t += '\r';
      t += c;
    }
    check_same("crlf", t, &totals, by, &dir);
  }
  SUBCASE("a line longer than the limit and longer than a block") {
    std::string t = block + "\n" + std::string(3 << 20, 'x') + "\n" + block;
    check_same("overlong", t, &totals, by, &dir);
  }
  SUBCASE("two dumps: the second goroutine 1 starts a new snapshot") {
    check_same("twice", block + "\n" + block, &totals, by, &dir);
  }
  SUBCASE("a created-by line still waiting for its file when a block ends") {
    // Found by fuzz_parse (CI): a blank line does not end the wait, and a
    // damaged `N @` record header ending in `file.go:84` reads as that
    // file. A block cut before the header must not start a new snapshot
    // there. The padding moves the cut across the header.
    std::string waiting =
        "goroutine 7 [syscall]:\nos/signal.signal_recv()\n\t/go/src/runtime/sigqueue.go:152 "
        "+0x29\ncreated by os/signal.Notify.func1.1 in goroutine ve+0x832\n\n"
        "4 @ 0x48a1ea 0x44a477 0x5dDesc).wait+0x26\t\t/go/src/internal/poll/fd_poll_runtime.go:84\n";
    // Long enough that the next record's cut is in a later block.
    for (int i = 0; i < 20; ++i)
      waiting += "#\t0x4bef39\tinternal/poll.(*pollDesc).waitRead+0x279\t/go/src/poll/x.go:89\n";
    waiting += "\n1 @ 0x43c84e 0x490f61\n#\t0x4893e4\tinternal/poll.runtime_pollWait+0x84\t/go/n.go:3\n";
    for (size_t pad = 0; pad < 1024; pad += 61) {
      std::string t = block + "\n" + std::string(pad, 'x') + "\n\n" + waiting;
      check_same(fmt::format("created-by-waiting-{}", pad), t, &totals, by, &dir);
    }
  }
}

TEST_CASE("split: a file whose blocks cannot be mapped is read with pread(), the same") {
  // Every guard slot taken: no mapping is safe, so none may be made.
  std::vector<std::unique_ptr<TruncationGuard>> slots;
  do slots.push_back(std::make_unique<TruncationGuard>());
  while (slots.back()->active());
  std::string all;
  size_t n = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), ".debug2.txt"))
    if (n++ % 9 == 0) all += read_file(p) + "\n";
  Totals totals;
  ScratchDir dir("split-unmapped");
  check_same("unmapped", all, &totals, GroupBy::kStack, &dir);
  CHECK(totals.file_blocks > 10);
  CHECK(totals.mapped == 0);
  CHECK(totals.worker_read > 0);
}

TEST_CASE("block reader: a file that shrinks under a mapped block is a read error") {
  std::string big = repeated_dump(size_t{512} << 10);
  ScratchDir dir("split-shrink");
  std::filesystem::path p = dir.write("dump", big);
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  std::unique_ptr<ByteSource> src = make_mapped_file_source(fd, /*owns_fd=*/true,
                                                            kDefaultMapWindowBytes);
  LineReaderResult result;
  BlockReader reader(*src, size_t{128} << 10, &result);
  std::unique_ptr<Fragment> first = reader.next();
  REQUIRE(first);
  REQUIRE(first->region.mapped());
  std::unique_ptr<Fragment> second = reader.next();
  REQUIRE(second);
  CHECK(reader.recycle(std::move(first)));
  CHECK(result.ok);
  // Cut the file inside the second block, then read all of it, as a worker
  // would: the pages past the end fault, and the guard answers with zeros.
  REQUIRE(::truncate(p.c_str(), (size_t{128} << 10) + 4096) == 0);
  std::string_view text = second->text();
  size_t zeros = 0;
  for (char c : text) zeros += c == '\0';
  CHECK(zeros > 0);
  CHECK_FALSE(reader.recycle(std::move(second)));
  CHECK_FALSE(result.ok);
  CHECK(result.error == kFileShrankError);
  CHECK(reader.next() == nullptr);
}

TEST_CASE("block reader: a block whose head a worker reads fails cleanly when the file shrank") {
  std::string big = repeated_dump(size_t{512} << 10);
  ScratchDir dir("split-shrink-read");
  std::filesystem::path p = dir.write("dump", big);
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  std::unique_ptr<ByteSource> src = make_mapped_file_source(fd, /*owns_fd=*/true, 0);
  LineReaderResult result;
  const size_t block = size_t{128} << 10;
  BlockReader reader(*src, block, &result);
  std::unique_ptr<Fragment> first = reader.next(/*for_worker=*/true);
  REQUIRE(first);
  CHECK(first->unread == 0);  // the first block is the main thread's
  std::unique_ptr<Fragment> second = reader.next(/*for_worker=*/true);
  REQUIRE(second);
  REQUIRE(second->parallel);
  // Only the tail was read, to cut at; the head is still in the file.
  CHECK(second->unread >= block / 2);
  CHECK(second->unread < second->size);
  CHECK(second->unread_at == first->size);
  std::unique_ptr<Fragment> third = reader.next(/*for_worker=*/true);
  REQUIRE(third);
  REQUIRE(third->unread > 0);
  // The second block's head reads as it is in the file.
  CHECK(reader.complete(*second));
  CHECK(second->text() == std::string_view(big).substr(first->size, second->size));
  // Cut the file inside the third block's head: the worker's read fails,
  // and so does the main thread's check after it, with the shrink error.
  REQUIRE(::truncate(p.c_str(), static_cast<off_t>(third->unread_at + 4096)) == 0);
  CHECK_FALSE(read_unread(*third));
  CHECK(third->unread_error == kFileShrankError);
  CHECK(result.ok);
  CHECK_FALSE(reader.complete(*third));
  CHECK_FALSE(result.ok);
  CHECK(result.error == kFileShrankError);
  CHECK(reader.next(true) == nullptr);
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

TEST_CASE("split: a crash loop's blocks stay with the main thread; a dump after it gets its workers back") {
  // Every block of a crash loop starts a new dump (a `goroutine 1` header),
  // so no worker's parse could be used: the main thread reads them alone.
  std::string crash =
      "panic: runtime error: index out of range [3] with length 3\n\n"
      "goroutine 1 [running]:\n"
      "main.(*Server).handle(0xc000120000, {0x7a2f40, 0xc00014e000})\n"
      "\t/app/server.go:42 +0x1d\n"
      "main.main()\n"
      "\t/app/main.go:12 +0x25\n"
      "exit status 2\n";
  std::string text;
  while (text.size() < (size_t{600} << 10)) text += crash;
  // Then one long dump: goroutine blocks that continue the last crash's
  // snapshot, which workers can parse again.
  std::string body = goroutines_but_1();
  std::string tail;
  while (tail.size() < (size_t{1200} << 10)) tail += body;
  text += "\n" + tail;

  auto stats = [](const std::string& what, const Loaded& l) {
    MESSAGE(fmt::format("{}: {} blocks, {} to workers, {} absorbed", what, l.result.split_blocks,
                        l.result.split_parsed, l.result.split_absorbed));
  };
  std::string loop = text.substr(0, text.size() - tail.size() - 1);
  std::unique_ptr<Loaded> crashes = load_text(loop, split_options(2, 4096));
  std::unique_ptr<Loaded> dump_alone = load_text(tail, split_options(2, 4096));
  std::unique_ptr<Loaded> both = load_text(text, split_options(2, 4096));
  stats("crash loop", *crashes);
  stats("dump", *dump_alone);
  stats("crash loop, then the dump", *both);
  CHECK(crashes->result.split_absorbed == 0);
  CHECK(crashes->result.split_parsed == 0);
  CHECK(crashes->result.split_blocks > 100);
  // The dump after it: most of what its blocks get alone.
  CHECK(both->result.split_absorbed * 3 > dump_alone->result.split_absorbed * 2);

  // Read from a file, a block for a worker is read only at its tail by the
  // main thread: the header there keeps the block, so no worker is ever
  // handed one only to refuse it.
  ScratchDir dir("split-crash-loop");
  std::unique_ptr<Loaded> from_file = load(dir.write("loop.txt", loop), split_options(2, 4096));
  stats("crash loop, from a file", *from_file);
  CHECK(from_file->result.split_blocks > 100);
  CHECK(from_file->result.split_parsed == 0);
  CHECK(from_file->result.split_worker_read == 0);
  std::unique_ptr<Loaded> file_both = load(dir.write("both.txt", text), split_options(2, 4096));
  CHECK(file_both->result.split_worker_read > 0);
  CHECK(file_both->result.split_absorbed * 3 > dump_alone->result.split_absorbed * 2);

  Totals totals;
  check_same("crash loop, then a dump", text, &totals);
}

namespace {

// Crash records that print every goroutine (GOTRACEBACK=all): a log line of
// about `pad` bytes, the panic, goroutine 1 with a deep stack, then
// `others`, until the text holds 400 KiB.
std::string crash_records(size_t pad, const std::string& others) {
  std::string record = "panic: boom\n\ngoroutine 1 [running]:\n";
  for (int i = 0; i < 30; ++i)
    record += fmt::format("main.step{}(0xc000120000, {{0x7a2f40, 0xc00014e000}})\n"
                          "\t/app/steps.go:{} +0x1d\n", i, 100 + i);
  record += "main.main()\n\t/app/main.go:12 +0x25\n\n" + others + "exit status 2\n";
  std::string log = "2026-11-01T00:00:07Z orderd[1001]: starting orderd";
  while (log.size() < pad) log += " v1.4.1";
  std::string text;
  while (text.size() < (size_t{400} << 10)) text += log + "\n" + record;
  return text;
}

}  // namespace

TEST_CASE("block reader: a block that starts with a crash's goroutine 1 stays with the main thread") {
  // A block is often cut right before goroutine 1 (the last header in it),
  // so the next starts a new dump, which no worker's parse continues. Read
  // from a file, the main thread reads only such a block's tail, so it
  // must know from the cut how the block starts.
  std::string others;
  for (int id = 2; id < 40; ++id)
    others += fmt::format("goroutine {} [chan receive]:\nmain.worker{}()\n\t/app/worker.go:{} +0x1d\n"
                          "created by main.main in goroutine 1\n\t/app/main.go:20 +0x25\n\n",
                          id, id % 5, 40 + id % 3);
  ScratchDir dir("split-crash-all");
  Totals totals;
  int cases = 0;  // blocks that start with goroutine 1, over every padding
  for (size_t pad : {0, 700, 1900, 3100}) {
    CAPTURE(pad);
    std::string text = crash_records(pad, others);
    std::filesystem::path file = dir.write("crashes.txt", text);
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::unique_ptr<ByteSource> src = make_mapped_file_source(fd, /*owns_fd=*/true, 0);
    LineReaderResult result;
    BlockReader reader(*src, 4096, &result);
    int to_workers = 0, kept_at_goroutine1 = 0;
    while (std::unique_ptr<Fragment> f = reader.next(/*for_worker=*/true)) {
      REQUIRE(reader.complete(*f));
      bool starts_goroutine1 = f->text().starts_with("goroutine 1 [");
      if (f->parallel) ++to_workers;
      if (starts_goroutine1 && !f->parallel) ++kept_at_goroutine1;
      CHECK_FALSE((f->parallel && starts_goroutine1));
      REQUIRE(reader.recycle(std::move(f)));
    }
    MESSAGE(fmt::format("pad {}: {} blocks to workers, {} kept at goroutine 1", pad, to_workers,
                        kept_at_goroutine1));
    CHECK(to_workers > 0);  // the other goroutines still go to workers
    cases += kept_at_goroutine1;
    CHECK(result.ok);
    check_same("crash records", text, &totals, GroupBy::kStack, &dir);
  }
  CHECK(cases > 0);
}

TEST_CASE("split: a profile writer after a goroutine still in progress starts a new dump") {
  // The corpus dump's goroutines follow goroutine 1, and the first of them
  // writes the profile: on one thread it starts a new snapshot, since the
  // snapshot holds goroutine 1. When a block starts at it, goroutine 1 is
  // still in progress at the cut, and the worker's parse must be refused.
  ScratchDir dir("split-crash-writer");
  Totals totals;
  for (size_t pad : {0, 700, 1900, 3100}) {
    CAPTURE(pad);
    check_same("crash records with a profile writer", crash_records(pad, goroutines_but_1()),
               &totals, GroupBy::kStack, &dir);
  }
}

TEST_CASE("worker backoff: eight refusals in a row hand 8, then 32, 128 and 256 blocks to the main thread") {
  WorkerBackoff b;
  // Counts the blocks kept from the workers before the next one goes to them.
  auto kept_back = [&b] {
    int n = 0;
    while (!b.take_next()) ++n;
    return n;
  };
  auto refuse = [&b](int n) {
    for (int i = 0; i < n; ++i) b.refused();
  };
  refuse(7);
  CHECK(kept_back() == 0);  // seven in a row: still every block to a worker
  refuse(1);
  CHECK(kept_back() == 8);
  refuse(8);
  CHECK(kept_back() == 32);
  refuse(8);
  CHECK(kept_back() == 128);
  refuse(8);
  CHECK(kept_back() == 256);
  refuse(8);
  CHECK(kept_back() == 256);
  // One absorbed block starts over, and resets the run of refusals.
  refuse(5);
  b.absorbed();
  refuse(7);
  CHECK(kept_back() == 0);
  refuse(1);
  CHECK(kept_back() == 8);
}
