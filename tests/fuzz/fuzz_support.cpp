#include "fuzz_support.h"

#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>

#include "classify/builtin_rules.h"
#include "classify/rule_loader.h"

namespace gorleak::fuzz {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

void check_load_invariants(const LoadResult& r, const Catalog& catalog) {
  require(!r.ok || !r.diagnostics.empty() || !r.snapshots.empty(),
          "an ok load has snapshots");
  if (!r.ok) {
    bool has_error = false;
    for (const Diagnostic& d : r.diagnostics) has_error |= d.severity == Severity::kError;
    require(has_error, "a failed load says why");
  }
  for (const Diagnostic& d : r.diagnostics) {
    require(!d.message.empty(), "diagnostics carry a message");
    require(d.format().find('\n') == std::string::npos, "a diagnostic is one line");
  }
  uint64_t previous_last = 0;
  for (const Snapshot& s : r.snapshots) {
    require(s.first_line <= s.last_line, "snapshot first_line <= last_line");
    require(s.last_line <= r.lines + 1, "snapshot ends inside the input");
    require(s.first_line >= previous_last, "snapshots do not overlap");
    previous_last = s.last_line;
    uint64_t sum = 0, leaked = 0, by_state = 0;
    for (const Group& g : s.groups) {
      require(g.count > 0, "groups are not empty");
      require(sum + g.count >= sum, "group counts do not overflow");
      sum += g.count;
      leaked += g.leaked;
      require(g.leaked <= g.count, "leaked <= count");
      require(g.locked_to_thread <= g.count, "locked_to_thread <= count");
      require(g.min_wait <= g.max_wait, "min_wait <= max_wait");
      require(g.min_wait >= -1, "wait minutes are -1 or positive");
      require(g.sample_ids.size() <= Group::kMaxSamples, "at most kMaxSamples samples");
      require(g.first_line >= s.first_line && g.first_line <= s.last_line,
              "a group starts inside its snapshot");
      require(g.stack < catalog.stacks.size(), "group stack id is valid");
      require(g.state < catalog.strings.size(), "group state id is valid");
      const Stack& st = catalog.stacks.get(g.stack);
      for (const Frame& f : st.frames) {
        require(f.func < catalog.strings.size(), "frame func id is valid");
        require(f.file < catalog.strings.size(), "frame file id is valid");
      }
    }
    require(sum == s.total, "sum of group counts == snapshot total");
    require(leaked == s.leaked, "sum of group leaked == snapshot leaked");
    for (uint64_t n : s.states) by_state += n;
    require(by_state == s.total, "state counts add up to the total");
    // Goroutines that print a header take at least one line each; debug=1
    // records carry a count and may stand for any number.
    if (s.form == Form::kDebug2 || s.form == Form::kCrash) {
      require(s.total <= s.last_line - s.first_line + 1,
              "no more goroutines than lines in a traceback dump");
    }
    for (const SpawnEdge& e : s.spawns) {
      require(e.group < s.groups.size(), "spawn edge points at a group");
      require(e.count > 0, "spawn edges count something");
    }
    for (const SpawnerInfo& sp : s.spawners) {
      require(sp.group < s.groups.size(), "spawner points at a group");
    }
  }
}

}  // namespace gorleak::fuzz

namespace gorleak::fuzz {
namespace {

class JsonChecker {
 public:
  explicit JsonChecker(std::string_view t) : t_(t) {}
  bool run(std::string* error) {
    bool ok = value(0) && (ws(), pos_ == t_.size());
    if (!ok && error) *error = "offset " + std::to_string(pos_);
    return ok;
  }

 private:
  void ws() {
    while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\t' ||
                                t_[pos_] == '\r'))
      ++pos_;
  }
  bool lit(std::string_view w) {
    if (t_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  bool value(int depth) {
    if (depth > 512) return false;
    ws();
    if (pos_ >= t_.size()) return false;
    char c = t_[pos_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') return string();
    if (c == 't') return lit("true");
    if (c == 'f') return lit("false");
    if (c == 'n') return lit("null");
    return number();
  }
  bool object(int depth) {
    ++pos_;
    ws();
    if (pos_ < t_.size() && t_[pos_] == '}') return ++pos_, true;
    for (;;) {
      ws();
      if (pos_ >= t_.size() || t_[pos_] != '"' || !string()) return false;
      ws();
      if (!lit(":") || !value(depth + 1)) return false;
      ws();
      if (lit("}")) return true;
      if (!lit(",")) return false;
    }
  }
  bool array(int depth) {
    ++pos_;
    ws();
    if (pos_ < t_.size() && t_[pos_] == ']') return ++pos_, true;
    for (;;) {
      if (!value(depth + 1)) return false;
      ws();
      if (lit("]")) return true;
      if (!lit(",")) return false;
    }
  }
  bool number() {
    size_t start = pos_;
    lit("-");
    if (lit("0")) {
    } else if (!digits()) {
      return false;
    }
    if (lit(".") && !digits()) return false;
    if (pos_ < t_.size() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
      ++pos_;
      if (!lit("+")) lit("-");
      if (!digits()) return false;
    }
    return pos_ > start;
  }
  bool digits() {
    size_t start = pos_;
    while (pos_ < t_.size() && t_[pos_] >= '0' && t_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  bool string() {
    ++pos_;
    while (pos_ < t_.size()) {
      unsigned char c = static_cast<unsigned char>(t_[pos_]);
      if (c == '"') return ++pos_, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        ++pos_;
        if (pos_ >= t_.size()) return false;
        char e = t_[pos_++];
        if (e == 'u') {
          for (int i = 0; i < 4; ++i, ++pos_)
            if (pos_ >= t_.size() || !std::isxdigit(static_cast<unsigned char>(t_[pos_])))
              return false;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
        continue;
      }
      if (c < 0x80) {
        ++pos_;
        continue;
      }
      if (!utf8()) return false;
    }
    return false;
  }
  // One UTF-8 sequence: shortest form, no surrogates, at most U+10FFFF.
  bool utf8() {
    unsigned char c = static_cast<unsigned char>(t_[pos_]);
    int n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) n = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 3, cp = c & 0x07;
    else return false;
    if (pos_ + n >= t_.size()) return false;
    for (int i = 1; i <= n; ++i) {
      unsigned char d = static_cast<unsigned char>(t_[pos_ + i]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    pos_ += n + 1;
    return true;
  }

  std::string_view t_;
  size_t pos_ = 0;
};

}  // namespace

bool json_valid(std::string_view text, std::string* error) {
  return JsonChecker(text).run(error);
}

void check_format_output(std::string_view format, std::string_view out) {
  for (char ch : out) {
    auto c = static_cast<unsigned char>(ch);
    require(c >= 0x20 || c == '\n', "no output format writes a control character");
  }
  std::string error;
  if (format == "json" || format == "sarif") {
    if (!json_valid(out, &error)) std::fprintf(stderr, "invalid %.*s: %s\n",
                                               static_cast<int>(format.size()), format.data(),
                                               error.c_str());
    require(error.empty(), "JSON and SARIF output is valid JSON");
  } else if (format == "jsonl") {
    size_t at = 0;
    while (at < out.size()) {
      size_t nl = out.find('\n', at);
      require(nl != std::string_view::npos, "every JSON Lines line ends with a newline");
      require(json_valid(out.substr(at, nl - at), &error), "every JSON Lines line is valid JSON");
      at = nl + 1;
    }
  } else if (format == "html") {
    size_t scripts = 0;
    for (size_t p = out.find("<script"); p != std::string_view::npos; p = out.find("<script", p + 1))
      ++scripts;
    size_t ends = 0;
    for (size_t p = out.find("</script"); p != std::string_view::npos; p = out.find("</script", p + 1))
      ++ends;
    require(scripts == 2 && ends == 2, "the HTML page has exactly its two scripts");
  }
}

}  // namespace gorleak::fuzz

namespace gorleak::fuzz {

void fail(const std::string& message) {
  std::fprintf(stderr, "invariant broken: %s\n", message.c_str());
  std::abort();
}

void check_json(std::string_view text) {
  std::string error;
  if (!json_valid(text, &error)) fail("invalid JSON: " + error);
}

const RuleSet& builtin_rules() {
  static std::unique_ptr<RuleSet> set = [] {
    RuleLoader loader;
    add_builtin_rules(loader);
    require(loader.ok(), "built-in rules load");
    return RuleSet::build(loader.take_rules(), {}, nullptr, loader.roles());
  }();
  return *set;
}

}  // namespace gorleak::fuzz
