// ANSI styling for the text outputs, switched off as a whole when colour is
// off, plus the small phrases every text output formats the same way. The
// phrases hold dump text escaped for a terminal (text_escape.h).
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
// A finding's size: "46 goroutines", or in the rule's unit when it names
// one, "23 response bodies never closed (46 goroutines)".
std::string finding_count_text(const Finding& finding);
// The state as printed by Go, or the category when the dump had none (debug=1).
std::string group_state_label(const Group& group, const Catalog& catalog);
// `one` when n is 1, else `many`: "1 goroutine", "2 goroutines".
std::string_view plural(uint64_t n, std::string_view one, std::string_view many);
// ASCII letters upper-cased: "HIGH" for a severity label.
std::string upper(std::string_view s);

// The pieces every text writer's findings and stacks share.
// Red for high and critical, yellow for medium, cyan below.
std::string_view severity_style(const TextStyle& st, RuleSeverity s);
// `label` in bold, padded to 10 columns, then `text`; the lines of a
// multi-line text (rule descriptions, fixes) indented under the first.
// Names and texts from a dump are escaped (report/text_escape.h) here and in
// the two below.
void append_labelled(std::string* out, const TextStyle& st, std::string_view label,
                     std::string_view text, size_t indent);
// "func  file:line", the function alone without a file, "" when unknown.
std::string source_site_text(const Catalog& catalog, const SourceSite& s);
// One frame line of a stack: `user` frames bold with an arrow, standard
// library frames dimmed.
void append_frame(std::string* out, const TextStyle& st, const Catalog& catalog, const Frame& f,
                  bool user);

}  // namespace gorleak
