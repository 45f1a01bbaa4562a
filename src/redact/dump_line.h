// What one line of a dump is, in the parser's terms, and where its
// rewritable parts are: `gorleak redact` rewrites inside those spans only,
// so the structure the parser reads (headers, states, ids, line numbers,
// offsets, markers) is never touched. The recognisers are the parser's own
// (parse/line_syntax.h), and log prefixes are found the way the parser finds
// them (parse/log_prefix.h): once a prefix stood in front of a dump line,
// it is stripped from every line that carries it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "parse/log_prefix.h"

namespace gorleak {

struct TextSpan {
  size_t begin = 0;
  size_t end = 0;
  bool empty() const { return begin == end; }
};

enum class DumpLineKind : unsigned char {
  kOther,          // noise, log lines, panic messages
  kMarker,         // profile headers, `N @ 0x…` records, elisions, ancestor headers
  kHeader,         // goroutine N [state]: (labels: span `labels`)
  kGoleakHeader,   // [Goroutine N in state S, with FUNC on top of the stack:
  kFunc,           // FUNC(ARGS)
  kFile,           // \tPATH:LINE +0x…
  kCreatedBy,      // created by FUNC[ in goroutine N]
  kDebug1Frame,    // #\t0xPC\tFUNC+0xOFF\tPATH:LINE
  kJoinedFrame,    // FUNC(ARGS) PATH:LINE, a frame pasted on one line
  kDebug1Labels,   // # labels: {…}
};

struct DumpLine {
  DumpLineKind kind = DumpLineKind::kOther;
  size_t prefix = 0;  // bytes of log prefix at the start of the line
  // Spans into the line (or, with `unlinked`, into that text).
  TextSpan func, args, file, labels;
  // A GitHub-linkified line (`main.go:[12](https://…)`): the same line
  // without its links, which the spans refer to and which is written out.
  bool linked = false;
  std::string unlinked;
};

// Recognises lines one after another, remembering the log prefix.
class DumpLineReader {
 public:
  DumpLine read(std::string_view line);

 private:
  LogPrefix prefix_ = LogPrefix::kNone;
};

}  // namespace gorleak
