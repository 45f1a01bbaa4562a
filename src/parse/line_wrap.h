// Lines a terminal or log viewer wrapped. In a stream whose lines carry a
// log prefix (journald, CI timestamps), a line without the prefix is
// usually the rest of the line before it, cut at the screen width with no
// byte lost: `…revdial.(*conn).Write(0x1076ca80, 0x106ef00` then
// `0, 0x1000, 0x1000, 0x0, 0x0, 0x0)`. Reading them apart loses the frame.
#pragma once

#include <string_view>

namespace gorleak {

// Whether `next` (a line without the stream's prefix) continues `held`
// (the prefixed line before it, prefix removed, earlier continuations
// already appended). Yes when `held` is not a complete dump line on its
// own; and when it is (a wrap can fall right after `file.go:3` of
// `file.go:33`), only if `next` is not a dump line itself and the joined
// text still is one. A blank `next` never continues.
bool continues_wrapped_line(std::string_view held, std::string_view next);

// Whether `line` is, on its own, a whole line of some dump dialect:
// header, frame function or file line, created by, elision, debug=1
// record or frame, profile header, crash start. Leading blanks are ignored.
bool is_dump_line(std::string_view line);

}  // namespace gorleak
