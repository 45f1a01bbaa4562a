#include "report/json_writer.h"

#include <cmath>

#include <fmt/format.h>

namespace gorleak {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes
// there do not form one (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return (byte(i + k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return n >= 2 && cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(1) || !cont(2)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    unsigned char c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (c == 0xF4 && c1 >= 0x90) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void json_escape(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      // Copy the run of bytes that need no escaping in one append.
      size_t j = i + 1;
      while (j < s.size()) {
        unsigned char d = static_cast<unsigned char>(s[j]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++j;
      }
      out->append(s.data() + i, j - i);
      i = j;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        default:
          if (c < 0x20)
            fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
          else
            out->push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    size_t len = utf8_sequence(s, i);
    if (len == 0) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    out->append(s.substr(i, len));
    i += len;
  }
  out->push_back('"');
}

std::string json_quote(std::string_view s) {
  std::string out;
  json_escape(s, &out);
  return out;
}

JsonWriter::JsonWriter(std::string* out, int indent) : out_(out), indent_(indent) {}

void JsonWriter::set_sink(std::FILE* sink) { sink_ = sink; }

void JsonWriter::flush() {
  if (sink_ == nullptr || out_->empty()) return;
  if (std::fwrite(out_->data(), 1, out_->size(), sink_) != out_->size()) write_failed_ = true;
  out_->clear();
}

void JsonWriter::newline() {
  // With a sink, the document streams out in pieces: memory stays bounded
  // whatever the number of groups and snapshots.
  if (sink_ != nullptr && out_->size() >= kFlushBytes) flush();
  if (indent_ <= 0) return;
  out_->push_back('\n');
  out_->append(stack_.size() * static_cast<size_t>(indent_), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& top = stack_.back();
  if (!top.empty) out_->push_back(',');
  top.empty = false;
  newline();
}

void JsonWriter::key(std::string_view k) {
  Level& top = stack_.back();
  if (!top.empty) out_->push_back(',');
  top.empty = false;
  newline();
  json_escape(k, out_);
  out_->append(indent_ > 0 ? ": " : ":");
  after_key_ = true;
}

void JsonWriter::begin_object() {
  before_value();
  out_->push_back('{');
  stack_.push_back(Level{true, true});
}

void JsonWriter::begin_array() {
  before_value();
  out_->push_back('[');
  stack_.push_back(Level{false, true});
}

void JsonWriter::end_object() {
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_->push_back('}');
}

void JsonWriter::end_array() {
  bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_->push_back(']');
}

void JsonWriter::value(std::string_view s) {
  before_value();
  json_escape(s, out_);
}

void JsonWriter::value(bool b) {
  before_value();
  out_->append(b ? "true" : "false");
}

void JsonWriter::value(double d) {
  before_value();
  if (!std::isfinite(d)) {
    out_->append("null");
    return;
  }
  // Shortest round-trip form; fmt never emits locale separators.
  fmt::format_to(std::back_inserter(*out_), "{}", d);
}

void JsonWriter::null() {
  before_value();
  out_->append("null");
}

void JsonWriter::write_int(int64_t v) {
  before_value();
  fmt::format_to(std::back_inserter(*out_), "{}", v);
}

void JsonWriter::write_uint(uint64_t v) {
  before_value();
  fmt::format_to(std::back_inserter(*out_), "{}", v);
}

void JsonWriter::finish() {
  if (indent_ > 0) out_->push_back('\n');
  flush();
}

}  // namespace gorleak
