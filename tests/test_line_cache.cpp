#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parse/line_cache.h"

using namespace gorleak;

namespace {
// Looks `line` up and, on a miss, caches `value` for it.
bool lookup_or_add(LineCache<int>& cache, const std::string& line, int value, int* out) {
  uint64_t hash = 0;
  if (cache.find(line, out, &hash)) return true;
  cache.insert(line, hash, value);
  return false;
}
}  // namespace

TEST_CASE("line cache: a repeated line hits with its value, a new line misses") {
  LineCache<int> cache;
  int v = 0;
  CHECK_FALSE(lookup_or_add(cache, "\t/src/app/main.go:42 +0x1c5", 1, &v));
  CHECK_FALSE(lookup_or_add(cache, "\t/src/app/main.go:43 +0x1c5", 2, &v));
  REQUIRE(lookup_or_add(cache, "\t/src/app/main.go:42 +0x1c5", 9, &v));
  CHECK(v == 1);
  REQUIRE(lookup_or_add(cache, "\t/src/app/main.go:43 +0x1c5", 9, &v));
  CHECK(v == 2);
  // A prefix or an extension of a cached line is another line.
  CHECK_FALSE(lookup_or_add(cache, "\t/src/app/main.go:42 +0x1c", 3, &v));
  CHECK_FALSE(lookup_or_add(cache, "\t/src/app/main.go:42 +0x1c5 ", 4, &v));
  CHECK(cache.size() == 4);
}

TEST_CASE("line cache: empty and over-long lines are never cached") {
  LineCache<int> cache;
  int v = 0;
  std::string longer(LineCache<int>::kMaxLineBytes + 1, 'x');
  std::string longest(LineCache<int>::kMaxLineBytes, 'x');
  CHECK_FALSE(lookup_or_add(cache, "", 1, &v));
  CHECK_FALSE(lookup_or_add(cache, "", 1, &v));
  CHECK_FALSE(lookup_or_add(cache, longer, 2, &v));
  CHECK_FALSE(lookup_or_add(cache, longer, 2, &v));
  CHECK_FALSE(lookup_or_add(cache, longest, 3, &v));
  CHECK(lookup_or_add(cache, longest, 0, &v));
  CHECK(v == 3);
  CHECK(cache.size() == 1);
}

namespace {
// Same length, same first 16, middle 8 and last 8 bytes: the cheap hash
// cannot tell these lines apart.
std::string crafted(int i) {
  std::string s(64, '.');
  std::string n = std::to_string(1000 + i);
  s.replace(20, n.size(), n);
  return s;
}
}  // namespace

TEST_CASE("line cache: lines sharing a hash share a probe chain and stay apart") {
  REQUIRE(line_cache_hash(crafted(1), false) == line_cache_hash(crafted(2), false));
  // 8 entries in a 16-slot table, all with one hash: every find after the
  // first walks the chain and compares bytes behind equal tags.
  LineCache<int> cache(8);
  int v = 0;
  for (int i = 0; i < 8; ++i) CHECK_FALSE(lookup_or_add(cache, crafted(i), i, &v));
  for (int i = 7; i >= 0; --i) {
    REQUIRE(lookup_or_add(cache, crafted(i), -1, &v));
    CHECK(v == i);
  }
  CHECK_FALSE(lookup_or_add(cache, crafted(8), 8, &v));  // full: not learnt
  CHECK_FALSE(lookup_or_add(cache, crafted(8), 8, &v));
  CHECK_FALSE(cache.full_hash());  // chains this short stay on the cheap hash
}

TEST_CASE("line cache: stops learning at its entry and byte bounds, still answers") {
  LineCache<int> by_entries(3);
  int v = 0;
  for (int i = 0; i < 10; ++i) lookup_or_add(by_entries, "entry " + std::to_string(i), i, &v);
  CHECK(by_entries.size() == 3);
  CHECK(lookup_or_add(by_entries, "entry 2", -1, &v));
  CHECK(v == 2);
  CHECK_FALSE(lookup_or_add(by_entries, "entry 3", -1, &v));

  LineCache<int> by_bytes(1000, 20);  // room for two 10-byte lines
  for (int i = 0; i < 5; ++i) lookup_or_add(by_bytes, "bytes.   " + std::to_string(i), i, &v);
  CHECK(by_bytes.size() == 2);
  CHECK(lookup_or_add(by_bytes, "bytes.   1", -1, &v));
  CHECK(v == 1);
  CHECK_FALSE(lookup_or_add(by_bytes, "bytes.   2", -1, &v));
}

TEST_CASE("line cache: a long chain of crafted lines switches to the full hash") {
  CHECK(line_cache_hash(crafted(1), true) != line_cache_hash(crafted(2), true));
  LineCache<int> cache;
  int v = 0;
  for (int i = 0; i < 200; ++i) CHECK_FALSE(lookup_or_add(cache, crafted(i), i, &v));
  CHECK(cache.full_hash());
  for (int i = 0; i < 200; ++i) {
    REQUIRE(lookup_or_add(cache, crafted(i), -1, &v));
    CHECK(v == i);
  }
}

TEST_CASE("line cache: with room to grow, a full cache doubles while lines repeat") {
  LineCache<int> cache(4, 1 << 20, 16, 1 << 20);
  int v = 0;
  // Lines that repeat: each is looked up twice, so as many hits as misses.
  for (int i = 0; i < 12; ++i) {
    CHECK_FALSE(lookup_or_add(cache, "repeat " + std::to_string(i), i, &v));
    REQUIRE(lookup_or_add(cache, "repeat " + std::to_string(i), -1, &v));
    CHECK(v == i);
  }
  CHECK(cache.size() == 12);
  // Up to the ceiling and no further.
  for (int i = 12; i < 40; ++i) {
    lookup_or_add(cache, "repeat " + std::to_string(i), i, &v);
    lookup_or_add(cache, "repeat " + std::to_string(i), i, &v);
  }
  CHECK(cache.size() == 16);

  // Lines that never repeat (` fp=… sp=…`) leave it at its first bound.
  LineCache<int> unique(4, 1 << 20, 16, 1 << 20);
  for (int i = 0; i < 40; ++i) lookup_or_add(unique, "fp=" + std::to_string(i), i, &v);
  CHECK(unique.size() == 4);
}
