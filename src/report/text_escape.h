// The escaper of the text outputs (the human report, diff and trend text,
// gorleak's own messages on stderr): dumps come from other people's
// services and from issue trackers, and a function name, file path, label
// or state may carry bytes a terminal acts on instead of showing.
//
// Guarantee: text_escape's output is valid UTF-8 and holds no character a
// terminal or text viewer would interpret: no C0 control (U+0000–U+001F,
// tab and newline included), no DEL, no C1 control (U+0080–U+009F), no
// line or paragraph separator (U+2028, U+2029) and no bidirectional
// control (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069). Each is
// shown as a visible escape: `\xNN` for a byte below 0x80 and for a byte
// that is not part of valid UTF-8, `\uNNNN` for a code point. Everything
// else, backslashes included, is copied unchanged, so ordinary names read
// as they are; the escape is for display, not a reversible encoding. The
// output is itself safe, so escaping twice changes nothing.
#pragma once

#include <string>
#include <string_view>

namespace gorleak {

void text_escape(std::string_view s, std::string* out);
std::string text_escaped(std::string_view s);
// True when text_escape would copy `s` unchanged.
bool text_safe(std::string_view s);

}  // namespace gorleak
