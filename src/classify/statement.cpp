#include "classify/statement.h"

#include <algorithm>
#include <string>

namespace gorleak {

namespace {

// How far inside_loop() walks up before giving up: Go functions longer than
// this are rare, and a wrong "no loop" only leaves a finding unconfirmed.
constexpr size_t kMaxWalk = 400;

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The code of a line: string and rune literals blanked (so braces and `<-`
// inside them do not count) and a `//` comment dropped.
std::string code_of(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == '\\' && quote != '`' && i + 1 < line.size()) {
        out += "  ";
        ++i;
        continue;
      }
      if (c == quote) quote = 0;
      out += ' ';
      continue;
    }
    if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
    if (c == '"' || c == '\'' || c == '`') quote = c;
    out += (quote ? ' ' : c);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool starts_with_word(std::string_view s, std::string_view word) {
  return s.substr(0, word.size()) == word && (s.size() == word.size() || !ident_char(s[word.size()]));
}

bool ends_with_word(std::string_view s, std::string_view word) {
  if (s.size() < word.size() || s.substr(s.size() - word.size()) != word) return false;
  return s.size() == word.size() || !ident_char(s[s.size() - word.size() - 1]);
}

void read_flags(std::string_view code, Statement* st) {
  if (code.find(".Done()") != std::string_view::npos) st->context_done = true;
  if (code.find("time.After(") != std::string_view::npos) st->timer_after = true;
  if (code.find("time.Tick(") != std::string_view::npos) st->ticker = true;
  for (size_t p = code.find(".C"); p != std::string_view::npos; p = code.find(".C", p + 1)) {
    if (p + 2 >= code.size() || !ident_char(code[p + 2])) st->ticker = true;
  }
}

// The operation of one line of code.
ChanOp line_op(std::string_view code, bool* ranges) {
  std::string_view t = trim(code);
  if (starts_with_word(t, "select")) return ChanOp::kSelect;
  if (starts_with_word(t, "for") && t.find("range") != std::string_view::npos) {
    size_t r = t.find("range");
    if (r == 0 || !ident_char(t[r - 1])) {
      *ranges = true;
      return ChanOp::kReceive;
    }
  }
  size_t arrow = t.find("<-");
  if (arrow == std::string_view::npos) return ChanOp::kUnknown;
  std::string_view before = trim(t.substr(0, arrow));
  if (starts_with_word(before, "case")) before = trim(before.substr(4));
  if (before.empty()) return ChanOp::kReceive;
  char last = before.back();
  if (ends_with_word(before, "return") || ends_with_word(before, "go") || ends_with_word(before, "defer"))
    return ChanOp::kReceive;
  // `x <- v`: a channel expression ends with a name, a call or an index.
  if (ident_char(last) || last == ')' || last == ']') return ChanOp::kSend;
  return ChanOp::kReceive;  // `v := <-ch`, `f(<-ch)`, `ok && <-ch`…
}

}  // namespace

Statement read_statement(std::string_view line) {
  Statement st;
  std::string code = code_of(line);
  st.op = line_op(code, &st.ranges);
  if (st.op == ChanOp::kSelect) {
    std::string_view t = trim(code);
    t.remove_prefix(6);  // "select"
    t = trim(t);
    st.no_cases = t == "{}";
  }
  read_flags(code, &st);
  return st;
}

Statement read_statement_at(const std::vector<std::string_view>& lines, size_t at) {
  Statement st = read_statement(lines[at]);
  if (st.op != ChanOp::kSelect || st.no_cases) return st;
  // The select's cases follow its line, up to the brace that closes it.
  int depth = 0;
  for (size_t i = at; i < lines.size() && i < at + kMaxWalk; ++i) {
    std::string code = code_of(lines[i]);
    if (i > at) read_flags(code, &st);
    for (char c : code) {
      if (c == '{') ++depth;
      if (c == '}') --depth;
    }
    if (depth <= 0 && i > at) break;
  }
  return st;
}

std::string_view statement_reason(const Statement& s) {
  switch (s.op) {
    case ChanOp::kSend: return "chan send";
    case ChanOp::kReceive: return "chan receive";
    case ChanOp::kSelect: return s.no_cases ? "select (no cases)" : "select";
    case ChanOp::kUnknown: break;
  }
  return "";
}

StateCategory statement_category(const Statement& s) {
  switch (s.op) {
    case ChanOp::kSend: return StateCategory::kChanSend;
    case ChanOp::kReceive: return StateCategory::kChanReceive;
    case ChanOp::kSelect: return StateCategory::kSelect;
    case ChanOp::kUnknown: break;
  }
  return StateCategory::kUnknown;
}

bool inside_loop(const std::vector<std::string_view>& lines, size_t at) {
  if (at >= lines.size()) return false;
  if (starts_with_word(trim(code_of(lines[at])), "for")) return true;
  int depth = 0;  // closing braces seen going up, not yet matched
  size_t stop = at > kMaxWalk ? at - kMaxWalk : 0;
  for (size_t i = at; i-- > stop;) {
    std::string code = code_of(lines[i]);
    for (size_t k = code.size(); k-- > 0;) {
      if (code[k] == '}') {
        ++depth;
      } else if (code[k] == '{') {
        if (depth > 0) {
          --depth;
          continue;
        }
        // This brace opens a block around line `at`.
        std::string_view head = trim(std::string_view(code).substr(0, k));
        if (starts_with_word(head, "for")) return true;
        if (head.find("func") != std::string_view::npos) return false;
      }
    }
  }
  return false;
}

}  // namespace gorleak
