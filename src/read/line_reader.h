// Splits a ByteSource into lines, window by window (ByteSource::next_window),
// in place wherever the source has its bytes in memory: memory stays
// constant however large the input, and a line longer than the limit is
// reported (with its length) instead of being buffered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "read/byte_source.h"

namespace gorleak {

struct LineReaderResult {
  uint64_t bytes = 0;
  uint64_t lines = 0;
  bool ended_mid_line = false;  // last line had no '\n'
  bool ok = true;
  std::string error;  // read error (I/O, corrupt gzip)
};

class LineVisitor {
 public:
  virtual ~LineVisitor() = default;
  // `text` (without its '\n') is valid only during the call: it may lie in
  // a mapped window that is unmapped soon after.
  virtual void line(std::string_view text, uint64_t line_no) = 0;
  virtual void overlong_line(uint64_t line_no, uint64_t length) = 0;
};

LineReaderResult read_lines(ByteSource& src, size_t max_line_bytes, LineVisitor& visitor);

}  // namespace gorleak
