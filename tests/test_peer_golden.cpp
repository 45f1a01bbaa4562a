// Optional: agree with a peer parser. ../shared/peer-golden/gostackparse/
// holds DataDog/gostackparse's test fixtures, each NAME.txt with the
// NAME.golden.json its own tests expect. Every goroutine a golden file lists
// must come out of our Parser with the same id, state, wait, locked-to-thread,
// frames (func, file, line), elision, created-by and ancestors. Skipped when
// ../shared/peer-golden is absent.
//
// Where we deliberately differ: gostackparse reports an error and drops a
// goroutine whose block has a line it cannot read (a broken function line, a
// function without its file:line, a header with no frames). gorleak is built
// for dumps copied out of logs and issues, which are often damaged, so it
// keeps such goroutines with what could be read and counts the unreadable
// lines as skipped. `kOurExtras` below lists, per fixture, the goroutines we
// report beyond the golden ones, and the test asserts exactly those.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "collecting_sink.h"
#include "json_check.h"
#include "parse/parser.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

// Goroutines gorleak keeps where gostackparse reports an error instead.
const std::map<std::string, std::set<uint64_t>> kOurExtras = {
    // `goroutine N [running]:` with no frame at all: a goroutine with an
    // empty stack (the runtime prints that for a goroutine it cannot walk).
    {"empty_stack", {1, 2}},
    // `main.main)(`: not a function line; goroutine 2 is kept, the line skipped.
    {"errorhandling", {2}},
    // `created by main.main` with the file:line line missing (cut short).
    {"partial_createdby", {1, 2}},
    // `main.main()` with its file:line line missing (cut short).
    {"partial_stack", {1, 2}},
};

struct Parsed {
  Catalog catalog;
  CollectingSink sink;
  ParseStats stats;
};

// Feeds `text` line by line to a Parser, as the read stage would.
std::unique_ptr<Parsed> parse_text(const std::string& text, const std::string& name) {
  auto out = std::make_unique<Parsed>();
  Parser parser(out->catalog, out->sink, name);
  uint64_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;
    parser.feed(std::string_view(text).substr(pos, nl - pos), ++line_no);
    pos = nl + 1;
  }
  bool cut = pos < text.size();
  if (cut) parser.feed(std::string_view(text).substr(pos), ++line_no);
  parser.finish(cut, text.size());
  out->stats = parser.stats();
  return out;
}

std::string str_or_empty(const Json& j) { return j.is_null() ? "" : j.str(); }

void check_frames(const Catalog& c, const std::vector<Frame>& ours, const Json& stack) {
  CHECK(ours.size() == stack.size());
  for (size_t i = 0; i < std::min(ours.size(), stack.size()); ++i) {
    const Json& f = stack.at(i);
    INFO("frame ", i);
    CHECK(c.str(ours[i].func) == f.at("Func").str());
    CHECK(c.str(ours[i].file) == f.at("File").str());
    CHECK(ours[i].line == f.at("Line").u64());
  }
}

void check_created_by(const Catalog& c, const CreatedBy& ours, const Json* golden) {
  if (!golden || golden->is_null()) {
    CHECK(!ours.present());
    return;
  }
  CHECK(ours.present());
  CHECK(c.str(ours.func) == golden->at("Func").str());
  CHECK(c.str(ours.file) == golden->at("File").str());
  CHECK(ours.line == golden->at("Line").u64());
}

}  // namespace

TEST_CASE("our parser agrees with gostackparse's golden files") {
  fs::path dir = shared_dir() / "peer-golden" / "gostackparse";
  if (!fs::is_directory(dir)) {
    MESSAGE("../shared/peer-golden is absent: peer golden test skipped");
    return;
  }
  size_t fixtures = 0, goroutines = 0;
  for (const fs::path& golden_path : list_files(dir, ".golden.json")) {
    std::string name = golden_path.filename().string();
    name = name.substr(0, name.size() - std::string(".golden.json").size());
    fs::path txt = dir / (name + ".txt");
    INFO("fixture: ", name);
    REQUIRE(fs::exists(txt));
    Json golden;
    std::string err;
    REQUIRE_MESSAGE(parse_json(read_file(golden_path), &golden, &err), err);
    auto p = parse_text(read_file(txt), txt.filename().string());
    ++fixtures;

    std::map<uint64_t, const Goroutine*> ours;
    for (const Goroutine* g : p->sink.all()) {
      CHECK(g->has_id);
      CHECK(ours.count(g->id) == 0);  // ids are unique within these dumps
      ours[g->id] = g;
    }

    std::set<uint64_t> golden_ids;
    const Json& list = golden.at("Goroutines");
    for (const Json& gj : list.items) {
      uint64_t id = gj.at("ID").u64();
      golden_ids.insert(id);
      INFO("goroutine ", id);
      CHECK(ours.count(id) == 1);
      if (!ours.count(id)) continue;
      const Goroutine& g = *ours[id];
      ++goroutines;
      CHECK(g.state == gj.at("State").str());
      // Golden Wait is a time.Duration (ns) made from `N minutes`.
      int64_t minutes = gj.at("Wait").i64() / 60'000'000'000LL;
      CHECK(std::max<int64_t>(g.wait_minutes, 0) == minutes);
      CHECK(g.locked_to_thread == (gj.at("LockedToThread").kind == Json::kBool &&
                                   gj.at("LockedToThread").boolean));
      check_frames(p->catalog, g.frames, gj.at("Stack"));
      bool elided = gj.at("FramesElided").boolean;
      CHECK((g.elided_count != 0) == elided);
      check_created_by(p->catalog, g.created_by, gj.get("CreatedBy"));

      // `[originating from goroutine N]:` sections, nested in the golden.
      size_t depth = 0;
      for (const Json* a = gj.get("Ancestor"); a && !a->is_null(); a = a->get("Ancestor"), ++depth) {
        INFO("ancestor ", depth);
        CHECK(depth < g.ancestors.size());
        if (depth >= g.ancestors.size()) break;
        const Ancestor& ours_a = g.ancestors[depth];
        CHECK(ours_a.id == a->at("ID").u64());
        check_frames(p->catalog, ours_a.frames, a->at("Stack"));
        check_created_by(p->catalog, ours_a.created_by, a->get("CreatedBy"));
      }
      CHECK(g.ancestors.size() == depth);
    }

    // Goroutines we report beyond the golden: exactly the documented ones.
    std::set<uint64_t> extra;
    for (const auto& [id, g] : ours)
      if (!golden_ids.count(id)) extra.insert(id);
    auto it = kOurExtras.find(name);
    CHECK(extra == (it == kOurExtras.end() ? std::set<uint64_t>{} : it->second));
    for (uint64_t id : extra) {
      INFO("extra goroutine ", id);
      const Goroutine& g = *ours[id];
      CHECK(g.state == "running");  // every extra's header says so
      if (name == "empty_stack") CHECK(g.frames.empty());
      if (name == "errorhandling") CHECK(g.frames.empty());  // its only frame is the bad line
      if (name == "partial_createdby") {
        // `created by F` whose file:line never came: F is kept, no site.
        REQUIRE(g.frames.size() == 1);
        CHECK(p->catalog.str(g.frames[0].func) == "main.foo");
        CHECK(p->catalog.str(g.created_by.func) == (id == 1 ? "main.main" : "main.foo"));
        CHECK(p->catalog.str(g.created_by.file).empty());
        CHECK(g.created_by.line == 0);
      }
      // The dump ends right after `main.main()`: the last goroutine is partial.
      if (name == "partial_stack") CHECK(g.partial == (id == 2));
    }
    if (name == "errorhandling") CHECK(p->stats.skipped_lines > 0);
    // Where gostackparse reports errors, we skip (and count) lines instead.
    const Json* errors = golden.get("Errors");
    bool golden_errors = errors && !errors->is_null() && errors->size() > 0;
    if (!golden_errors) CHECK(p->stats.skipped_lines == 0);
  }
  CHECK(fixtures >= 10);
  MESSAGE("peer golden: ", fixtures, " fixtures, ", goroutines, " goroutines compared");
}
