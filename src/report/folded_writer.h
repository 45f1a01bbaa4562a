// `--format folded`: folded ("collapsed") stacks, the input of
// flamegraph.pl, inferno and speedscope. One line per group shown:
//
//   frame;frame;…;frame COUNT
//
// root first (the outermost frame, where the goroutine started) down to
// the innermost (where it waits), then a space and the group's goroutine
// count. Frames are function names. With --folded-state the group's state
// ("chan send", "select (no cases)", the category for debug=1) is the
// first frame, so the flame graph splits by state first. With several
// snapshots each line starts with a frame naming its snapshot
// ("#2 dump.txt"), so their stacks stay apart. Frames the runtime elided
// are one frame "[N frames elided]" ("[frames elided]" when the count is
// unknown); a group without frames is the frame "[no frames]".
//
// Groups are those of --match/--exclude/--min-count/--top (all by default),
// in the report's order; readers sum lines with equal stacks. Stable: the
// line format, the order, and the pseudo-frame names above.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "report/report_writer.h"

namespace gorleak {

std::unique_ptr<SnapshotWriter> make_folded_writer();

// The escaper of a folded frame: text_escape's guarantee (valid UTF-8, no
// control characters, shown as \xNN / \uNNNN) plus ';' shown as "\x3b", so
// a frame never splits in two and a line never breaks: every reader sees
// exactly the frames and count written.
void folded_escape(std::string_view frame, std::string* out);

}  // namespace gorleak
