#include "report/text_style.h"

#include <fmt/format.h>

#include "report/text_escape.h"

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

}  // namespace gorleak
