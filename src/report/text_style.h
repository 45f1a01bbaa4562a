// ANSI styling for the text outputs, switched off as a whole when colour is
// off, plus the small phrases every text output formats the same way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/catalog.h"
#include "model/finding.h"
#include "model/frame.h"
#include "model/snapshot.h"

namespace gorleak {

struct TextStyle {
  explicit TextStyle(bool color);
  std::string_view bold, dim, red, yellow, green, cyan, reset;

  // `text` wrapped in `style` … reset (or bare when colour is off).
  std::string paint(std::string_view style, std::string_view text) const;
};

// "wait 3–15 min", "wait 7 min", or "" when no goroutine printed minutes.
std::string format_wait(int64_t min_wait, int64_t max_wait);
// "/src/app/main.go:42", or the file alone when the line is unknown (0).
std::string format_location(const Catalog& catalog, StrId file, uint32_t line);
// The state as printed by Go, or the category when the dump had none (debug=1).
std::string group_state_label(const Group& group, const Catalog& catalog);

// The pieces every text writer's findings and stacks share.
// Red for high and critical, yellow for medium, cyan below.
std::string_view severity_style(const TextStyle& st, RuleSeverity s);
std::string upper_case(std::string_view s);  // ASCII letters only
// `label` in bold, padded to 10 columns, then `text`; the lines of a
// multi-line text (rule descriptions, fixes) indented under the first.
void append_labelled(std::string* out, const TextStyle& st, std::string_view label,
                     std::string_view text, size_t indent);
// "func  file:line", the function alone without a file, "" when unknown.
std::string source_site_text(const Catalog& catalog, const SourceSite& s);
// One frame line of a stack: `user` frames bold with an arrow, standard
// library frames dimmed.
void append_frame(std::string* out, const TextStyle& st, const Catalog& catalog, const Frame& f,
                  bool user);

}  // namespace gorleak
