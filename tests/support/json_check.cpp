#include "json_check.h"

#include <doctest/doctest.h>

#include "test_support.h"

#include <stdexcept>

namespace gorleak::test {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool document(Json* out) {
    ws();
    if (!value(out, 0)) return false;
    ws();
    if (i_ != s_.size()) return fail("trailing characters after the value");
    return true;
  }
  std::string error() const { return "offset " + std::to_string(i_) + ": " + why_; }

 private:
  bool fail(const char* why) {
    if (why_.empty()) why_ = why;
    return false;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return fail("invalid literal");
    i_ += word.size();
    return true;
  }

  bool value(Json* out, int depth) {
    if (depth > 200) return fail("nesting too deep");
    if (i_ >= s_.size()) return fail("unexpected end of input");
    char c = s_[i_];
    switch (c) {
      case '{': return object(out, depth);
      case '[': return array(out, depth);
      case '"': out->kind = Json::kString; return string(&out->text);
      case 't': out->kind = Json::kBool; out->boolean = true; return literal("true");
      case 'f': out->kind = Json::kBool; out->boolean = false; return literal("false");
      case 'n': out->kind = Json::kNull; return literal("null");
      default: out->kind = Json::kNumber; return number(&out->text);
    }
  }

  bool object(Json* out, int depth) {
    out->kind = Json::kObject;
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    for (;;) {
      ws();
      if (i_ >= s_.size() || s_[i_] != '"') return fail("expected a member name");
      std::string key;
      if (!string(&key)) return false;
      ws();
      if (i_ >= s_.size() || s_[i_] != ':') return fail("expected ':'");
      ++i_;
      ws();
      Json v;
      if (!value(&v, depth + 1)) return false;
      for (const auto& m : out->members)
        if (m.first == key) return fail("duplicate member name");
      out->members.emplace_back(std::move(key), std::move(v));
      ws();
      if (i_ >= s_.size()) return fail("unterminated object");
      if (s_[i_] == ',') { ++i_; continue; }
      if (s_[i_] == '}') { ++i_; return true; }
      return fail("expected ',' or '}'");
    }
  }

  bool array(Json* out, int depth) {
    out->kind = Json::kArray;
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    for (;;) {
      ws();
      Json v;
      if (!value(&v, depth + 1)) return false;
      out->items.push_back(std::move(v));
      ws();
      if (i_ >= s_.size()) return fail("unterminated array");
      if (s_[i_] == ',') { ++i_; continue; }
      if (s_[i_] == ']') { ++i_; return true; }
      return fail("expected ',' or ']'");
    }
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  bool number(std::string* out) {
    size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !digit(s_[i_])) return fail("invalid value");
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (i_ >= s_.size() || !digit(s_[i_])) return fail("digit expected after '.'");
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || !digit(s_[i_])) return fail("digit expected in exponent");
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    *out = std::string(s_.substr(start, i_ - start));
    return true;
  }

  static void append_utf8(uint32_t cp, std::string* out) {
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

  bool hex4(uint32_t* v) {
    if (i_ + 4 > s_.size()) return fail("short \\u escape");
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') *v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') *v |= static_cast<uint32_t>(c - 'A' + 10);
      else return fail("bad hex digit in \\u escape");
    }
    return true;
  }

  // Validates one raw UTF-8 sequence (RFC 3629) and copies it.
  bool utf8(std::string* out) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s_[k]); };
    unsigned char c = b(i_);
    size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || i_ + len > s_.size()) return fail("invalid UTF-8");
    for (size_t k = 1; k < len; ++k)
      if ((b(i_ + k) & 0xC0) != 0x80) return fail("invalid UTF-8");
    unsigned char c1 = b(i_ + 1);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
        (c == 0xF4 && c1 >= 0x90))
      return fail("invalid UTF-8");
    out->append(s_.substr(i_, len));
    i_ += len;
    return true;
  }

  bool string(std::string* out) {
    ++i_;  // opening quote
    for (;;) {
      if (i_ >= s_.size()) return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return fail("control character in string");
      if (c >= 0x80) {
        if (!utf8(out)) return false;
        continue;
      }
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        ++i_;
        continue;
      }
      ++i_;
      if (i_ >= s_.size()) return fail("unterminated escape");
      char e = s_[i_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (s_.substr(i_, 2) != "\\u") return fail("lone high surrogate");
            i_ += 2;
            if (!hex4(&lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return fail("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("lone low surrogate");
          }
          append_utf8(cp, out);
          break;
        }
        default: return fail("invalid escape");
      }
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string why_;
};

[[noreturn]] void mismatch(const char* what) { throw std::runtime_error(what); }

}  // namespace

const Json* Json::get(std::string_view key) const {
  if (kind != kObject) return nullptr;
  for (const auto& m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

const Json& Json::at(std::string_view key) const {
  const Json* j = get(key);
  if (!j) throw std::runtime_error("no JSON member '" + std::string(key) + "'");
  return *j;
}

const Json& Json::at(size_t i) const {
  if (kind != kArray || i >= items.size()) mismatch("JSON array index out of range");
  return items[i];
}

uint64_t Json::u64() const {
  if (kind != kNumber || text.empty() || text[0] == '-') mismatch("not an unsigned JSON number");
  return std::stoull(text);
}

int64_t Json::i64() const {
  if (kind != kNumber) mismatch("not a JSON number");
  return std::stoll(text);
}

const std::string& Json::str() const {
  if (kind != kString) mismatch("not a JSON string");
  return text;
}

bool parse_json(std::string_view text, Json* out, std::string* error) {
  Reader r(text);
  *out = Json{};
  if (r.document(out)) return true;
  if (error) *error = r.error();
  return false;
}

const Json& report_stack(const Json& doc, const Json& group) {
  const Json& entry = doc.at("stacks").at(group.at("stack").u64());
  if (entry.at("id").u64() != group.at("stack").u64())
    throw std::runtime_error("stacks[N].id is not N");
  return entry;
}

Json json_of(const RunResult& r) {
  Json j;
  std::string error;
  INFO(r.err);
  REQUIRE_MESSAGE(parse_json(r.out, &j, &error), error);
  return j;
}

}  // namespace gorleak::test
