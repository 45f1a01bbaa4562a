// The streaming dump parser: a line-driven state machine that recognises
// every dump dialect (debug=1, debug=2, crash/SIGQUIT, goroutineleak, goleak
// reports) without flags, skips log noise, and hands each goroutine to a
// DumpSink as soon as its block ends. It never keeps more than one goroutine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "model/catalog.h"
#include "parse/dump_sink.h"

namespace gorleak {

struct ParseStats {
  uint64_t lines = 0;
  uint64_t goroutines = 0;  // records (debug=1 records count once)
  uint64_t snapshots = 0;
  uint64_t skipped_lines = 0;          // inside snapshots
  uint64_t skipped_lines_outside = 0;  // before, between or after dumps
};

class Parser {
 public:
  Parser(Catalog& catalog, DumpSink& sink, std::string source_name);
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // One input line without its '\n' ('\r' is stripped here). line_no is 1-based.
  void feed(std::string_view line, uint64_t line_no);
  // A line too long to read whole (see LoadOptions::max_line_bytes): it is
  // counted as skipped and reported, and any goroutine it interrupts ends.
  void skip_overlong(uint64_t line_no, uint64_t length);
  // Input ended. `cut_mid_line`: the last line had no '\n' (possible truncation).
  // `total_bytes` lets the parser recognise pprof's 64 MiB debug=2 cut-off.
  void finish(bool cut_mid_line, uint64_t total_bytes);
  const ParseStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gorleak
