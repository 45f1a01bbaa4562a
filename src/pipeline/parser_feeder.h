// Hands the line reader's lines to a parser. `line_offset` is the number of
// input lines before the text being read, for a loader that reads one input
// in pieces (pipeline/split_load.h).
#pragma once

#include <cstdint>
#include <string_view>

#include "parse/parser.h"
#include "read/line_reader.h"

namespace gorleak {

class ParserFeeder : public LineVisitor {
 public:
  explicit ParserFeeder(Parser& parser, uint64_t line_offset = 0)
      : parser_(parser), offset_(line_offset) {}
  void line(std::string_view text, uint64_t no) override { parser_.feed(text, offset_ + no); }
  void overlong_line(uint64_t no, uint64_t length) override {
    parser_.skip_overlong(offset_ + no, length);
  }

 private:
  Parser& parser_;
  uint64_t offset_;
};

}  // namespace gorleak
