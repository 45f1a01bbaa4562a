#include "model/units.h"

#include <charconv>

#include <fmt/format.h>

namespace gorleak {

namespace {

std::string magnitude(uint64_t b) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (b < 1024) return fmt::format("{} B", b);
  double v = static_cast<double>(b);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  return v >= 100 || v == static_cast<double>(static_cast<uint64_t>(v))
             ? fmt::format("{:.0f} {}", v, kUnits[u])
             : fmt::format("{:.1f} {}", v, kUnits[u]);
}

uint64_t abs_u(int64_t v) { return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v); }

}  // namespace

std::string format_bytes(int64_t bytes) {
  return bytes < 0 ? "-" + magnitude(abs_u(bytes)) : magnitude(abs_u(bytes));
}

std::string format_bytes_delta(int64_t bytes) {
  return (bytes < 0 ? "-" : "+") + magnitude(abs_u(bytes));
}

bool parse_byte_count(std::string_view s, int64_t* out) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  std::string_view unit = s.substr(static_cast<size_t>(p - s.data()));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  int shift = unit.empty() || unit == "B" ? 0
              : unit == "KiB"             ? 10
              : unit == "MiB"             ? 20
              : unit == "GiB"             ? 30
                                          : -1;
  if (ec != std::errc() || p == s.data() || shift < 0 || v > (uint64_t{1} << (62 - shift))) return false;
  *out = static_cast<int64_t>(v << shift);
  return true;
}

}  // namespace gorleak
