#include "report/json_writer.h"

#include <array>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "report/utf8.h"

namespace gorleak {

namespace {

// Bytes json_escape cannot copy as they are: control characters, DEL, '"',
// '\\', and every non-ASCII byte (copied only after its UTF-8 sequence is
// checked).
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
  return t;
}();

#if defined(__SSE2__)
// The special bytes among 16: a signed compare below 0x20 catches the
// control characters and, since they are negative, every byte >= 0x80.
inline int special_mask16(const char* p) {
  __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i hit = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                             _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')),
                                                       _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)))));
  return _mm_movemask_epi8(hit);
}
#endif

// Length of the prefix of p[0, n) that json_escape copies unchanged. Dump
// strings are almost all plain ASCII: with SSE2, sixteen bytes are tested
// at once (a report writes hundreds of MB of function names and paths);
// otherwise eight, where the word test may also flag a plain byte (after a
// borrow), never miss a special one, and the byte loop then finds the
// exact end.
size_t plain_prefix(const char* p, size_t n) {
#if defined(__SSE2__)
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    if (int m = special_mask16(p + i)) return i + static_cast<size_t>(__builtin_ctz(m));
  // The last bytes: the final sixteen again, overlapping what was seen.
  if (n >= 16 && i < n) {
    if (int m = special_mask16(p + n - 16)) return n - 16 + static_cast<size_t>(__builtin_ctz(m));
    return n;
  }
  while (i < n && !kSpecial[static_cast<unsigned char>(p[i])]) ++i;
  return i;
#else
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = kOnes * 0x80;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    uint64_t quote = x ^ (kOnes * '"');
    uint64_t backslash = x ^ (kOnes * '\\');
    uint64_t del = x ^ (kOnes * 0x7f);
    uint64_t hit = x                               // >= 0x80
                   | (x - kOnes * 0x20)            // < 0x20 (x's high bit is clear here)
                   | ((quote - kOnes) & ~quote)    // == '"'
                   | ((backslash - kOnes) & ~backslash)  // == '\\'
                   | ((del - kOnes) & ~del);       // == DEL
    if (hit & kHigh) break;
  }
  while (i < n && !kSpecial[static_cast<unsigned char>(p[i])]) ++i;
  return i;
#endif
}

// Writes the escaped form of the special byte at s[i]; returns the number of
// input bytes consumed.
size_t escape_special(std::string_view s, size_t i, std::string* out) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(u, sizeof u);
      }
    }
    return 1;
  }
  size_t len = utf8_sequence(s, i);
  if (len == 0) {
    out->append("\\ufffd");
    return 1;
  }
  // C1 controls, separators and bidi controls are valid JSON as they are,
  // but a terminal or viewer acts on them (and JavaScript source breaks on
  // U+2028): written as escapes, the text means the same.
  uint32_t cp = utf8_code_point(s, i, len);
  if (is_control_code_point(cp)) {
    out->append(fmt::format("\\u{:04x}", cp));
    return len;
  }
  out->append(s.data() + i, len);
  return len;
}

}  // namespace

void json_escape(std::string_view s, std::string* out) {
  size_t i = plain_prefix(s.data(), s.size());
  char buf[128];
  if (i == s.size() && s.size() + 2 <= sizeof buf) {
    // The common case, a short plain string: one append.
    buf[0] = '"';
    // An empty view may carry a null pointer, which memcpy must not get.
    if (!s.empty()) std::memcpy(buf + 1, s.data(), s.size());
    buf[s.size() + 1] = '"';
    out->append(buf, s.size() + 2);
    return;
  }
  out->push_back('"');
  out->append(s.data(), i);
  while (i < s.size()) {
    i += escape_special(s, i, out);
    size_t run = plain_prefix(s.data() + i, s.size() - i);
    out->append(s.data() + i, run);
    i += run;
  }
  out->push_back('"');
}

std::string json_quote(std::string_view s) {
  std::string out;
  json_escape(s, &out);
  return out;
}

JsonWriter::JsonWriter(std::string* out, int indent)
    : out_(out),
      indent_(indent > 0 ? static_cast<size_t>(indent) : 0),
      separator_(indent > 0 ? ",\n" : ","),
      staged_(new char[kStageBytes]) {}

JsonWriter::JsonWriter(std::string* out, int indent, size_t depth) : JsonWriter(out, indent) {
  base_depth_ = depth;
}

JsonWriter::~JsonWriter() { commit(); }

void JsonWriter::set_sink(std::FILE* sink) { sink_ = sink; }

void JsonWriter::commit() {
  if (staged_size_ == 0) return;
  out_->append(staged_.get(), staged_size_);
  staged_size_ = 0;
  // With a sink, the document streams out in pieces: memory stays bounded
  // whatever the number of groups and snapshots.
  if (sink_ != nullptr && out_->size() >= kFlushBytes) write_to_sink();
}

char* JsonWriter::room(size_t n) {
  if (staged_size_ + n > kStageBytes) {
    commit();
    if (n > kStageBytes) return nullptr;
  }
  return staged_.get() + staged_size_;
}

void JsonWriter::put(const char* p, size_t n) {
  char* at = room(n);
  if (at == nullptr) {
    out_->append(p, n);
    return;
  }
  // An empty view may carry a null pointer, which memcpy must not get.
  if (n > 0) std::memcpy(at, p, n);
  staged_size_ += n;
}

void JsonWriter::flush() {
  commit();
  write_to_sink();
}

void JsonWriter::write_to_sink() {
  if (sink_ == nullptr || out_->empty()) return;
  if (std::fwrite(out_->data(), 1, out_->size(), sink_) != out_->size()) write_failed_ = true;
  out_->clear();
}

size_t JsonWriter::separator_length() {
  // separator_ is ",\n" and the indentation of the deepest level seen so far,
  // so the comma, the newline and the indentation are one copy.
  size_t len = indent_ > 0 ? 1 + depth() * indent_ : 0;
  if (separator_.size() < 1 + len) separator_.resize(1 + len, ' ');
  return len;
}

void JsonWriter::separate(bool comma) {
  size_t len = separator_length();
  size_t from = comma ? 0 : 1;
  put(separator_.data() + from, 1 + len - from);
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& top = stack_.back();
  separate(!top.empty);
  top.empty = false;
}

void JsonWriter::key(std::string_view k) {
  Level& top = stack_.back();
  bool comma = !top.empty;
  top.empty = false;
  after_key_ = true;
  size_t len = separator_length();
  size_t from = comma ? 0 : 1;
  size_t sep = 1 + len - from;
  // Keys are short plain literals: the separator, the quoted key and the
  // colon are written in place.
  char* at = plain_prefix(k.data(), k.size()) == k.size() ? room(sep + k.size() + 4) : nullptr;
  if (at != nullptr) {
    char* p = at;
    std::memcpy(p, separator_.data() + from, sep);
    p += sep;
    *p++ = '"';
    if (!k.empty()) std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    if (indent_ > 0) *p++ = ' ';
    staged_size_ += static_cast<size_t>(p - at);
    return;
  }
  put(separator_.data() + from, sep);
  commit();
  json_escape(k, out_);
  put(indent_ > 0 ? ": " : ":", indent_ > 0 ? 2 : 1);
}

void JsonWriter::begin_object() {
  before_value();
  put("{", 1);
  stack_.push_back(Level{true, true});
}

void JsonWriter::begin_array() {
  before_value();
  put("[", 1);
  stack_.push_back(Level{false, true});
}

void JsonWriter::end_object() {
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) separate(false);
  put("}", 1);
}

void JsonWriter::end_array() {
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) separate(false);
  put("]", 1);
}

void JsonWriter::value(std::string_view s) {
  before_value();
  // The common case, a plain string: quoted in place.
  char* at = plain_prefix(s.data(), s.size()) == s.size() ? room(s.size() + 2) : nullptr;
  if (at != nullptr) {
    at[0] = '"';
    if (!s.empty()) std::memcpy(at + 1, s.data(), s.size());
    at[s.size() + 1] = '"';
    staged_size_ += s.size() + 2;
    return;
  }
  commit();
  json_escape(s, out_);
}

void JsonWriter::raw_value(std::string_view json) {
  before_value();
  put(json.data(), json.size());
}

void JsonWriter::value(bool b) {
  before_value();
  if (b) put("true", 4);
  else put("false", 5);
}

void JsonWriter::value(double d) {
  before_value();
  if (!std::isfinite(d)) {
    put("null", 4);
    return;
  }
  // Shortest round-trip form; fmt never emits locale separators.
  commit();
  fmt::format_to(std::back_inserter(*out_), "{}", d);
}

void JsonWriter::null() {
  before_value();
  put("null", 4);
}

void JsonWriter::write_int(int64_t v) {
  before_value();
  fmt::format_int s(v);
  put(s.data(), s.size());
}

void JsonWriter::write_uint(uint64_t v) {
  before_value();
  fmt::format_int s(v);
  put(s.data(), s.size());
}

void JsonWriter::finish() {
  if (indent_ > 0) put("\n", 1);
  flush();
}

}  // namespace gorleak
