// A debug=1 frame line (`#\t0xPC\tfunc+0xOFF\tfile:line`, read by
// parse_debug1_frame in parse/line_syntax.h) as an interned Frame. The
// goroutine profile and the heap profile print their frames the same way
// (runtime/pprof printStackRecord), so both readers use this.
#pragma once

#include "model/frame.h"
#include "model/strings.h"
#include "parse/line_syntax.h"

namespace gorleak {

// A line with a PC and no symbol becomes a frame flagged kNoSymbol.
Frame intern_debug1_frame(const Debug1Frame& f, StringTable& strings);

}  // namespace gorleak
