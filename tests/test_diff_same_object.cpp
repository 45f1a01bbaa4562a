// The same-object hint on real dumps: in series-mutex-pileup every waiter
// blocks on the one cache mutex, so they share the receiver pointer of
// sync.(*Mutex).lockSlow.
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>

#include "diff/same_object.h"
#include "diff/signature.h"
#include "series_support.h"

using namespace gorleak;
using namespace gorleak::test;

TEST_CASE("mutex pile-up: all waiters share one mutex address") {
  size_t checked = 0;
  for (const std::string& version : series_versions("series-mutex-pileup")) {
    CAPTURE(version);
    auto e = expect_line("series-mutex-pileup", version, "loaded", "rule");
    REQUIRE(e.has_value());
    Catalog catalog;
    SameObjectCollector collector(catalog);
    LoadOptions opts;
    opts.observer = &collector;
    LoadResult r = load_dump_file(catalog, series_dump("series-mutex-pileup", version, "loaded").string(), opts);
    REQUIRE(r.ok);
    REQUIRE(collector.hints().size() == r.snapshots.size());
    const Snapshot& s = r.snapshots.back();
    const auto& hints = collector.hints().back();
    REQUIRE_FALSE(hints.empty());
    const SameObjectHint& h = hints.front();
    CHECK(h.count == std::stoull((*e)["count"]));
    CHECK(h.blocked == h.count);
    CHECK_FALSE(h.approximate);
    CHECK(h.func.find("(*Mutex).lockSlow") != std::string::npos);
    CHECK(h.address.rfind("0x", 0) == 0);
    // The hint names the pile-up's group by its exact signature.
    bool found = false;
    for (const Group& g : s.groups)
      if (group_signature(catalog, g, SignatureMode::kExact) == h.signature)
        found |= g.count == h.count;
    CHECK(found);
    ++checked;
  }
  if (checked == 0) MESSAGE("no series-mutex-pileup dumps: skipped");
}

TEST_CASE("pointer_args: top-level hex words only") {
  CHECK(pointer_args("0xc0001108a0") == std::vector<uint64_t>{0xc0001108a0});
  CHECK(pointer_args("0xc000012345?, 0x1, {0x7a1c20, 0xc0000b4008}") ==
        std::vector<uint64_t>{0xc000012345});
  CHECK(pointer_args("...").empty());
  CHECK(pointer_args("{}").empty());
  CHECK(pointer_args("0x0?, 0xff").empty());
}

TEST_CASE("bounded memory: many distinct pointers, one shared object still found") {
  // Real shapes, synthetic volume: 20,000 goroutines each on its own
  // channel plus 500 on one mutex; the collector keeps 64 keys.
  Catalog catalog;
  SameObjectCollector collector(catalog, SameObjectOptions{64, 8, 2});
  collector.begin_snapshot(SnapshotStart{});
  Goroutine g;
  for (int i = 0; i < 20500; ++i) {
    g.clear();
    g.has_id = true;
    g.id = static_cast<uint64_t>(i + 1);
    bool mutex = i % 41 == 0 && i / 41 < 500;
    g.category = mutex ? StateCategory::kSemacquire : StateCategory::kChanReceive;
    Frame f;
    f.func = catalog.strings.intern(mutex ? "sync.(*Mutex).lockSlow" : "main.consume");
    f.file = catalog.strings.intern("/src/app/main.go");
    f.line = 10;
    std::string args = mutex ? "0xc000100000" : fmt::format("{:#x}", 0xc000200000ULL + 64ULL * static_cast<uint64_t>(i));
    g.frames.push_back(f);
    g.args.push_back({static_cast<uint32_t>(g.args_text.size()), static_cast<uint32_t>(args.size())});
    g.args_text += args;
    collector.goroutine(g);
  }
  collector.end_snapshot(SnapshotEnd{});
  REQUIRE(collector.hints().size() == 1);
  const auto& hints = collector.hints()[0];
  REQUIRE(hints.size() == 1);
  CHECK(hints[0].address == "0xc000100000");
  CHECK(hints[0].count <= 500);
  // A lower bound after purges, short by at most n / (capacity + 1).
  CHECK(hints[0].count >= 500 - 20500 / 65);
  CHECK(hints[0].approximate);
}
