// Spawn parents from GODEBUG=tracebackancestors sections, for dumps from Go
// versions that print no "in goroutine N" (real dumps from ../shared).
#include <doctest/doctest.h>

#include <algorithm>

#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

TEST_CASE("ancestor sections name the parent goroutine of pre-1.21 dumps") {
  auto path = shared_dir() / "corpus-public" / "gostackparse-ancestors.txt";
  if (!shared_available() || !std::filesystem::exists(path)) {
    MESSAGE("../shared/corpus-public is absent: skipped");
    return;
  }
  auto l = load(path);
  REQUIRE(l->result.ok);
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  // goroutine 25 was created by main.d1 in goroutine 24, goroutine 29 in 28.
  std::vector<uint64_t> parents;
  for (const SpawnEdge& e : s.spawns) {
    if (e.has_parent && l->catalog.str(e.func) == "main.d1") parents.push_back(e.parent_id);
  }
  std::sort(parents.begin(), parents.end());
  CHECK(parents == std::vector<uint64_t>{24, 28});
}
