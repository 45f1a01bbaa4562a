#include "read/line_reader.h"

#include <cstring>
#include <string>

#include "read/newline_scan.h"

namespace gorleak {

// A window's whole lines go to the visitor where they lie. Only a line cut
// by a window's end is copied, into `carry`, and completed from the next
// window; one too long for the limit is only counted.
LineReaderResult read_lines(ByteSource& src, size_t max_line_bytes, LineVisitor& visitor) {
  LineReaderResult res;
  std::string carry;
  uint64_t line_no = 0;
  bool skipping = false;  // inside an overlong line, discarding to its '\n'
  uint64_t skipped_len = 0;

  for (;;) {
    const char* data = nullptr;
    long n = src.next_window(&data, &res.error);
    if (n < 0) {
      res.ok = false;
      break;
    }
    if (n == 0) break;
    const size_t size = static_cast<size_t>(n);
    res.bytes += size;
    NewlineScan nls(data, 0, size);
    size_t begin = 0;
    size_t stop = nls.next();
    if (stop != NewlineScan::kNone && (skipping || !carry.empty())) {
      ++line_no;
      uint64_t len = (skipping ? skipped_len : carry.size()) + stop;
      if (len > max_line_bytes) {
        visitor.overlong_line(line_no, len);
      } else {
        carry.append(data, stop);
        visitor.line(carry, line_no);
      }
      carry.clear();
      skipping = false;
      skipped_len = 0;
      begin = stop + 1;
      stop = nls.next();
    }
    for (; stop != NewlineScan::kNone; stop = nls.next()) {
      ++line_no;
      if (stop - begin > max_line_bytes) {
        visitor.overlong_line(line_no, stop - begin);
      } else {
        visitor.line(std::string_view(data + begin, stop - begin), line_no);
      }
      begin = stop + 1;
    }
    // What follows the last '\n' must be kept (or counted) before the next
    // window replaces this one.
    size_t tail = size - begin;
    if (skipping) {
      skipped_len += tail;
    } else if (carry.size() + tail > max_line_bytes) {
      skipped_len = carry.size() + tail;
      skipping = true;
      carry.clear();
    } else {
      carry.append(data + begin, tail);
    }
  }
  if (skipping) {
    ++line_no;
    visitor.overlong_line(line_no, skipped_len);
    res.ended_mid_line = true;
  } else if (!carry.empty()) {
    ++line_no;
    res.ended_mid_line = true;
    visitor.line(carry, line_no);
  }
  res.lines = line_no;
  return res;
}

}  // namespace gorleak
