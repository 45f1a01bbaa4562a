#include "read/line_reader.h"

#include <cstring>
#include <vector>

#include "read/newline_scan.h"

namespace gorleak {

LineReaderResult read_lines(ByteSource& src, size_t max_line_bytes, LineVisitor& visitor) {
  LineReaderResult res;
  const size_t chunk = 1 << 20;
  // Room for one maximal line plus a chunk, so a kept partial line never
  // has to grow the buffer.
  std::vector<char> buf(max_line_bytes + chunk);
  size_t begin = 0, end = 0;
  uint64_t line_no = 0;
  bool skipping = false;  // inside an overlong line, discarding to its '\n'
  uint64_t skipped_len = 0;

  for (;;) {
    if (begin > 0 && begin == end) begin = end = 0;
    if (buf.size() - end < chunk) {
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
    long n = src.read(buf.data() + end, buf.size() - end, &res.error);
    if (n < 0) {
      res.ok = false;
      break;
    }
    if (n == 0) break;
    res.bytes += static_cast<uint64_t>(n);
    NewlineScan nls(buf.data(), end, end + static_cast<size_t>(n));
    end += static_cast<size_t>(n);
    for (;;) {
      size_t stop = nls.next();
      if (stop == NewlineScan::kNone) break;
      ++line_no;
      if (skipping) {
        visitor.overlong_line(line_no, skipped_len + (stop - begin));
        skipping = false;
        skipped_len = 0;
      } else if (stop - begin > max_line_bytes) {
        // Whether a long line arrived in one read or several must not
        // matter: past the limit it is always reported, never parsed.
        visitor.overlong_line(line_no, stop - begin);
      } else {
        visitor.line(std::string_view(buf.data() + begin, stop - begin), line_no);
      }
      begin = stop + 1;
    }
    if (skipping || end - begin > max_line_bytes) {
      skipped_len += end - begin;
      skipping = true;
      begin = end;
    }
  }
  if (skipping) {
    ++line_no;
    visitor.overlong_line(line_no, skipped_len + (end - begin));
    res.ended_mid_line = true;
  } else if (end > begin) {
    ++line_no;
    res.ended_mid_line = true;
    visitor.line(std::string_view(buf.data() + begin, end - begin), line_no);
  }
  res.lines = line_no;
  return res;
}

}  // namespace gorleak
