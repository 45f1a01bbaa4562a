#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "read/newline_scan.h"

using namespace gorleak;

namespace {
std::vector<size_t> scan_all(const std::string& buf, size_t from, size_t to) {
  std::vector<size_t> found;
  NewlineScan scan(buf.data(), from, to);
  for (size_t at = scan.next(); at != NewlineScan::kNone; at = scan.next()) found.push_back(at);
  return found;
}
std::vector<size_t> expected(const std::string& buf, size_t from, size_t to) {
  std::vector<size_t> found;
  for (size_t i = from; i < to; ++i)
    if (buf[i] == '\n') found.push_back(i);
  return found;
}
}  // namespace

TEST_CASE("newline scan: finds every newline in a range, none outside it") {
  // Pseudo-random text with newlines at irregular places, scanned over
  // ranges that start and stop inside and on the edges of 64-byte blocks.
  std::string buf;
  uint32_t x = 12345;
  for (int i = 0; i < 1000; ++i) {
    x = x * 1103515245 + 12345;
    buf.push_back((x >> 16) % 7 == 0 ? '\n' : static_cast<char>('a' + (x >> 20) % 26));
  }
  for (size_t from : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{500}}) {
    for (size_t to : {from, from + 1, from + 63, from + 64, from + 129, buf.size()}) {
      if (to > buf.size()) continue;
      CAPTURE(from);
      CAPTURE(to);
      CHECK(scan_all(buf, from, to) == expected(buf, from, to));
    }
  }
}

TEST_CASE("newline scan: newlines only, and none at all") {
  std::string all(130, '\n');
  CHECK(scan_all(all, 0, all.size()).size() == 130);
  CHECK(scan_all(all, 3, 67) == expected(all, 3, 67));
  std::string none(200, 'x');
  CHECK(scan_all(none, 0, none.size()).empty());
  // A byte past the range is never reported even when it is a newline.
  std::string edge = std::string(70, 'x') + "\n";
  CHECK(scan_all(edge, 0, 70).empty());
  CHECK(scan_all(edge, 0, 71) == std::vector<size_t>{70});
}
