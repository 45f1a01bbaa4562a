// RecordBatch interns a batch of goroutines with their cache misses
// overlapped; the records must be exactly those of one goroutine at a time.
// Also: the parser's memo of checked function names must not let a
// non-function string through.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "collecting_sink.h"
#include "group/grouper.h"
#include "group/record_batch.h"
#include "parse/parser.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

struct Parsed {
  Catalog catalog;
  CollectingSink sink;
};

void parse_into(const std::string& text, Parsed* out) {
  Parser parser(out->catalog, out->sink, "dump");
  size_t begin = 0;
  uint64_t no = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    parser.feed(std::string_view(text).substr(begin, end - begin), ++no);
    begin = end + 1;
  }
  parser.finish(false, text.size());
}

// Records of every goroutine, taking the batch after every `every` goroutines.
std::vector<GoroutineRecord> records(Parsed& p, GroupBy group_by, size_t every) {
  RecordBatch batch(p.catalog, group_by);
  std::vector<GoroutineRecord> out;
  size_t waiting = 0;
  for (const Goroutine* g : p.sink.all()) {
    bool full = batch.add(*g);
    if (full || ++waiting == every) {
      for (const GoroutineRecord& r : batch.take()) out.push_back(r);
      waiting = 0;
    }
  }
  for (const GoroutineRecord& r : batch.take()) out.push_back(r);
  return out;
}

void check_same(const std::vector<GoroutineRecord>& a, const std::vector<GoroutineRecord>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].stack == b[i].stack);
    CHECK(a[i].state == b[i].state);
    CHECK(a[i].id == b[i].id);
    CHECK(a[i].count == b[i].count);
    CHECK(a[i].line_no == b[i].line_no);
    CHECK(a[i].wait_minutes == b[i].wait_minutes);
    CHECK(a[i].created_by.func == b[i].created_by.func);
    CHECK(a[i].created_by.parent_id == b[i].created_by.parent_id);
    CHECK(a[i].ancestor_id == b[i].ancestor_id);
    CHECK(a[i].labels == b[i].labels);
  }
}

}  // namespace

TEST_CASE("a batch gives the records and stack ids of one goroutine at a time") {
  std::vector<std::filesystem::path> files = list_files(corpus_dumps_dir(), ".txt");
  if (shared_available())
    for (const auto& f : list_files(shared_dir() / "corpus-public", ".txt")) files.push_back(f);
  REQUIRE(files.size() > 100);
  size_t goroutines = 0;
  for (GroupBy by : {GroupBy::kStack, GroupBy::kFunction}) {
    for (const auto& file : files) {
      CAPTURE(file);
      std::string text = read_file(file);
      // Two identical parses: two catalogs with the same string ids.
      Parsed one, batched;
      parse_into(text, &one);
      parse_into(text, &batched);
      std::vector<GoroutineRecord> a = records(one, by, 1);
      std::vector<GoroutineRecord> b = records(batched, by, RecordBatch::kCapacity);
      check_same(a, b);
      CHECK(one.catalog.stacks.size() == batched.catalog.stacks.size());
      goroutines += a.size();
    }
  }
  CHECK(goroutines > 10000);
}

TEST_CASE("a take() while the last batch is being used returns nothing") {
  Parsed p;
  parse_into(read_file(list_files(corpus_dumps_dir(), ".txt").front()), &p);
  REQUIRE(p.sink.all().size() >= 2);
  RecordBatch batch(p.catalog, GroupBy::kStack);
  batch.add(*p.sink.all()[0]);
  batch.add(*p.sink.all()[1]);
  std::span<const GoroutineRecord> first = batch.take();
  CHECK(first.size() == 2);
  CHECK(batch.take().empty());
  CHECK(batch.empty());
}

TEST_CASE("a known string with a blank is still no function name") {
  // "chan receive" is interned as the state; the noise line below has the
  // shape of a function line with that name and must stay noise.
  const std::string dump =
      "goroutine 7 [chan receive]:\n"
      "main.worker(0xc000010000)\n"
      "\t/app/main.go:12 +0x25\n"
      "chan receive(now)\n"
      "\t/app/main.go:13 +0x25\n"
      "\n"
      "goroutine 8 [chan receive]:\n"
      "main.worker(0xc000010000)\n"
      "\t/app/main.go:12 +0x25\n";
  Parsed p;
  parse_into(dump, &p);
  std::vector<const Goroutine*> gs = p.sink.all();
  REQUIRE(gs.size() == 2);
  CHECK(gs[0]->frames.size() == 1);
  for (const Goroutine* g : gs)
    for (const Frame& f : g->frames) CHECK(p.catalog.str(f.func) == "main.worker");
}

TEST_CASE("a Grouper given goroutines before any snapshot began still counts them all") {
  // A producer that never announces a snapshot: the Grouper opens one itself
  // when its first batch is folded. Enough goroutines for several batches.
  Parsed p;
  parse_into(read_file(corpus_dumps_dir() / "body-leak.go1.22.debug2.txt"), &p);
  std::vector<const Goroutine*> gs = p.sink.all();
  REQUIRE(gs.size() > 2 * RecordBatch::kCapacity);
  std::vector<Snapshot> out;
  Grouper grouper(p.catalog, GroupOptions{}, "dump", &out);
  uint64_t want = 0;
  for (int round = 0; round < 3; ++round) {
    for (const Goroutine* g : gs) {
      grouper.goroutine(*g);
      want += g->count;
    }
  }
  grouper.end_snapshot(SnapshotEnd{});
  REQUIRE(out.size() == 1);
  CHECK(out[0].total == want);
}
