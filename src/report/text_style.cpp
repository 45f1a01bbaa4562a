#include "report/text_style.h"

#include <fmt/format.h>

#include "report/text_escape.h"
#include "model/user_code.h"

namespace gorleak {

TextStyle::TextStyle(bool color) {
  if (!color) return;
  bold = "\x1b[1m";
  dim = "\x1b[2m";
  red = "\x1b[31m";
  yellow = "\x1b[33m";
  green = "\x1b[32m";
  cyan = "\x1b[36m";
  reset = "\x1b[0m";
}

std::string TextStyle::paint(std::string_view style, std::string_view text) const {
  if (style.empty()) return std::string(text);
  return fmt::format("{}{}{}", style, text, reset);
}

std::string format_wait(int64_t min_wait, int64_t max_wait) {
  if (min_wait < 0 && max_wait < 0) return {};
  if (min_wait == max_wait || min_wait < 0) return fmt::format("wait {} min", max_wait);
  return fmt::format("wait {}\u2013{} min", min_wait, max_wait);
}

std::string format_location(const Catalog& catalog, StrId file, uint32_t line) {
  std::string f = text_escaped(catalog.str(file));
  if (f.empty()) return line ? fmt::format("?:{}", line) : std::string("?");
  if (line == 0) return f;
  return fmt::format("{}:{}", f, line);
}

std::string finding_count_text(const Finding& f) {
  std::string goroutines = fmt::format("{} {}", f.count, f.count == 1 ? "goroutine" : "goroutines");
  if (f.units == 0 || f.unit.empty()) return goroutines;
  return fmt::format("{} {} ({})", f.units, text_escaped(f.unit), goroutines);
}

std::string group_state_label(const Group& group, const Catalog& catalog) {
  std::string raw_text = text_escaped(catalog.str(group.state));
  std::string_view raw = raw_text;
  std::string_view cat = category_name(group.category);
  std::string label;
  if (raw.empty() || raw.substr(0, cat.size()) == cat)
    label = raw.empty() ? std::string(cat) : std::string(raw);
  else
    label = fmt::format("{} ({})", raw, cat);
  // debug=1 prints no state; the parser may have inferred one from frames.
  if (group.state_inferred) label += " (inferred from frames)";
  return label;
}

std::string_view plural(uint64_t n, std::string_view one, std::string_view many) {
  return n == 1 ? one : many;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return u;
}


std::string_view severity_style(const TextStyle& st, RuleSeverity s) {
  switch (s) {
    case RuleSeverity::kCritical:
    case RuleSeverity::kHigh: return st.red;
    case RuleSeverity::kMedium: return st.yellow;
    default: return st.cyan;
  }
}

void append_labelled(std::string* out, const TextStyle& st, std::string_view label,
                     std::string_view text, size_t indent) {
  if (text.empty()) return;
  *out += fmt::format("{}{}{:<10}{}", std::string(indent, ' '), st.bold, label, st.reset);
  bool first = true;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!first) out->append(indent + 10, ' ');
    out->append(text_escaped(line));
    out->push_back('\n');
    first = false;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string source_site_text(const Catalog& catalog, const SourceSite& s) {
  if (s.func == 0 && s.file == 0) return {};
  std::string func = text_escaped(s.func ? catalog.str(s.func) : std::string_view("?"));
  if (s.file == 0) return func;
  return fmt::format("{}  {}", func, format_location(catalog, s.file, s.line));
}

void append_frame(std::string* out, const TextStyle& st, const Catalog& catalog, const Frame& f,
                  bool user) {
  std::string func = text_escaped(f.func ? catalog.str(f.func) : std::string_view("?"));
  std::string loc = format_location(catalog, f.file, f.line);
  if (user)
    *out += fmt::format("    {}\u2192 {}{}  {}\n", st.bold, func, st.reset, loc);
  else if (is_library_func(func))
    *out += fmt::format("      {}{}  {}{}\n", st.dim, func, loc, st.reset);
  else
    *out += fmt::format("      {}  {}\n", func, loc);
}

}  // namespace gorleak
