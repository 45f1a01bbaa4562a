#include "parse/labels.h"

#include <cstdint>

namespace gorleak {

namespace {

void append_utf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the value of a Go %q string body (strconv.Unquote rules): the
// 1.26/1.27 headers print "w-3\u03a3" where debug=1 prints "w-3Σ", and both
// must come out as the same label.
void append_unquoted(std::string_view body, std::string* out) {
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out->push_back(c);
      continue;
    }
    char e = body[++i];
    size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits > 0) {
      uint32_t v = 0;
      bool ok = i + digits < body.size();
      for (size_t k = 1; ok && k <= digits; ++k) {
        int h = hex_value(body[i + k]);
        if (h < 0) ok = false;
        else v = v * 16 + static_cast<uint32_t>(h);
      }
      if (!ok) {
        out->push_back('\\');
        out->push_back(e);
        continue;
      }
      i += digits;
      if (e == 'x') out->push_back(static_cast<char>(v));  // a raw byte
      else append_utf8(v, out);
      continue;
    }
    switch (e) {
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      case 'a': out->push_back('\a'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'v': out->push_back('\v'); break;
      default: out->push_back(e); break;  // \\ \" \' and anything unknown
    }
  }
}

// Reads a key or value starting at s[*i] and appends it, unquoted, to *out:
// a Go-quoted string or a bare token ending at `stop`.
void read_token(std::string_view s, size_t* i, char stop, std::string* out) {
  size_t start = *i;
  if (start < s.size() && s[start] == '"') {
    size_t j = start + 1;
    while (j < s.size() && s[j] != '"') j += (s[j] == '\\') ? 2 : 1;
    size_t end = j < s.size() ? j : s.size();
    *i = j < s.size() ? j + 1 : s.size();
    append_unquoted(s.substr(start + 1, end - start - 1), out);
    return;
  }
  size_t j = start;
  while (j < s.size() && s[j] != stop && !(stop == ':' && s[j] == ',')) ++j;
  *i = j;
  out->append(s.substr(start, j - start));
}

void skip_blanks(std::string_view s, size_t* i) {
  while (*i < s.size() && s[*i] == ' ') ++*i;
}

// Walks `raw` pair by pair: key(text) appends the key, then value(begin,
// text) the value starting at raw[begin] (nothing for a key alone).
template <typename Key, typename Value>
void walk_labels(std::string_view raw, Key&& key, Value&& value) {
  size_t i = 0;
  std::string text;
  while (i < raw.size()) {
    skip_blanks(raw, &i);
    if (i >= raw.size()) break;
    text.clear();
    read_token(raw, &i, ':', &text);
    key(text);
    skip_blanks(raw, &i);
    if (i < raw.size() && raw[i] == ':') {
      ++i;
      skip_blanks(raw, &i);
      size_t begin = i;
      text.clear();
      read_token(raw, &i, ',', &text);
      value(begin, i, text);
    } else {
      value(i, i, std::string());
    }
    skip_blanks(raw, &i);
    if (i < raw.size() && raw[i] == ',') ++i;
    else if (i < raw.size()) ++i;  // stray byte: keep going, never loop
  }
}

}  // namespace

void normalize_labels(std::string_view raw, std::string* out) {
  bool first = out->empty();
  walk_labels(
      raw,
      [&](const std::string& key) {
        if (!first) out->append(", ");
        first = false;
        out->append(key);
        out->push_back('=');
      },
      [&](size_t, size_t, const std::string& value) { out->append(value); });
}

void label_values(std::string_view raw, std::vector<LabelValue>* out) {
  walk_labels(
      raw, [](const std::string&) {},
      [&](size_t begin, size_t end, const std::string& value) {
        // A bare token stops before blanks that precede the next comma.
        while (end > begin && raw[begin] != '"' && raw[end - 1] == ' ') --end;
        out->push_back({begin, end, begin < raw.size() && raw[begin] == '"', value});
      });
}

}  // namespace gorleak
