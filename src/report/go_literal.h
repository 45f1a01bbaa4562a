// Go string literals for generated Go code (the goleak options writer).
//
// go_quote(s) returns an interpreted string literal, quotes included, that
// a Go compiler reads back as exactly the bytes of `s`, and that is safe to
// print and to paste:
//   - `"` and `\` are escaped; \n \r \t \a \b \f \v by name;
//   - other ASCII control bytes and DEL as \xNN;
//   - bytes that are not valid UTF-8 as \xNN (the literal still holds those
//     very bytes: Go strings are byte strings);
//   - valid UTF-8 that a terminal or editor would act on or hide - C1
//     controls, U+2028/U+2029, bidirectional overrides and isolates
//     (U+202A-U+202E, U+2066-U+2069), zero-width and BOM characters - as
//     \uNNNN;
//   - everything else (printable ASCII, other valid UTF-8) as it is.
// So no output of it can end the literal early, start a comment or a new
// line, or reorder what a reviewer sees.
#pragma once

#include <string>
#include <string_view>

namespace gorleak {

std::string go_quote(std::string_view s);

}  // namespace gorleak
