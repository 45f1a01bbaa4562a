#include "read/line_reader.h"

#include <cstring>
#include <string>
#include <vector>

#include "read/newline_scan.h"

namespace gorleak {

namespace {

// Sources read in place: a window's whole lines go to the visitor where
// they lie. Only a line cut by a window's end is copied, into `carry`, and
// completed from the next window; one too long for the limit is only
// counted. Same contract, line for line, as read_copied.
LineReaderResult read_in_place(ByteSource& src, size_t max_line_bytes, LineVisitor& visitor) {
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

// Other sources: read() into a fixed buffer.
LineReaderResult read_copied(ByteSource& src, size_t max_line_bytes, LineVisitor& visitor) {
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

}  // namespace

LineReaderResult read_lines(ByteSource& src, size_t max_line_bytes, LineVisitor& visitor) {
  return src.has_windows() ? read_in_place(src, max_line_bytes, visitor)
                           : read_copied(src, max_line_bytes, visitor);
}

}  // namespace gorleak
