#include "report/text_escape.h"

#include <cstdint>

#include <fmt/format.h>

#include "report/utf8.h"

namespace gorleak {

namespace {

// Bytes of s[i…] that are copied as they are, or 0 when s[i] starts
// something to escape; *escape receives the escape then.
size_t next_piece(std::string_view s, size_t i, std::string* escape) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    if (c >= 0x20 && c != 0x7F) return 1;
    *escape = fmt::format("\\x{:02x}", c);
    return 0;
  }
  size_t len = utf8_sequence(s, i);
  if (len == 0) {
    *escape = fmt::format("\\x{:02x}", c);
    return 0;
  }
  uint32_t cp = utf8_code_point(s, i, len);
  if (is_control_code_point(cp)) {
    *escape = fmt::format("\\u{:04x}", cp);
    return 0;
  }
  return len;
}

}  // namespace

bool text_safe(std::string_view s) {
  std::string escape;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      continue;
    }
    size_t n = next_piece(s, i, &escape);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void text_escape(std::string_view s, std::string* out) {
  std::string escape;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size()) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c < 0x7F) {
        ++i;
        continue;
      }
      size_t n = next_piece(s, i, &escape);
      if (n == 0) break;
      i += n;
    }
    out->append(s.data() + start, i - start);
    if (i < s.size()) {
      out->append(escape);
      size_t len = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : utf8_sequence(s, i);
      i += len == 0 ? 1 : len;
    }
  }
}

std::string text_escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  text_escape(s, &out);
  return out;
}

}  // namespace gorleak
