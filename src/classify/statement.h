// Reading the Go statement a goroutine is parked on, from its source line.
// A debug=1 profile prints no state, but its `#` frame lines give the leaf
// frame's file:line; when the user's own frame is on top the goroutine is
// parked in the runtime on a channel operation or a select, and the line
// says which: `ch <- v` is a send, `<-ch`, `v, ok := <-ch` and `range ch`
// receive, `select {` selects. The same reading tells a ticker loop
// (`t.C`), a context wait (`ctx.Done()`), a timer (`time.After`) and
// whether the statement sits inside a `for` loop — facts the dump itself
// does not carry in any form.
//
// This is a line-level reading, not a Go parser: it ignores string and
// comment contents only as far as the common cases need (a `//` comment
// tail is dropped; braces inside string literals are rare on such lines).
#pragma once

#include <string_view>
#include <vector>

#include "model/state.h"

namespace gorleak {

enum class ChanOp : uint8_t { kUnknown, kSend, kReceive, kSelect };

struct Statement {
  ChanOp op = ChanOp::kUnknown;
  bool ranges = false;        // `for … range ch`
  bool ticker = false;        // reads a ticker's channel (`.C`, time.Tick)
  bool context_done = false;  // `.Done()`
  bool timer_after = false;   // `time.After(`
  bool no_cases = false;      // `select {}`: parks forever
};

// Reads one source line (the frame's line).
Statement read_statement(std::string_view line);
// Reads line `at` of `lines`; for a `select {` the flags also cover its
// cases, up to the brace that closes it.
Statement read_statement_at(const std::vector<std::string_view>& lines, size_t at);

// The state category a statement parks in: chan send, chan receive or
// select; kUnknown when the line is not a channel operation.
StateCategory statement_category(const Statement& s);
// The wait reason the runtime would print for it: "chan send", "chan
// receive", "select", "select (no cases)"; "" when unknown.
std::string_view statement_reason(const Statement& s);

// Whether line `at` (0-based index into `lines`) is inside a `for` block
// of its function: walks upwards counting braces until the enclosing
// `func` (false) or an enclosing `for` (true).
bool inside_loop(const std::vector<std::string_view>& lines, size_t at);

}  // namespace gorleak
