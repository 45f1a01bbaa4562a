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
#include "parse/go_version.h"

namespace gorleak {

// What a worker's fragment parse (Parser::begin_fragment) found, for the
// main parser to absorb (Parser::begin_absorb / end_absorb).
struct FragmentSummary {
  Form form = Form::kDebug2;  // the snapshot form the fragment assumed
  // False when the fragment did anything whose effect depends on state from
  // before it (new snapshots, diagnostics, skipped lines, log prefixes…):
  // such a fragment is parsed again, in order, by the main parser.
  bool clean = true;
  uint64_t lines = 0;
  uint64_t last_grammar_line = 0;  // fragment-relative
  uint64_t goroutines = 0;         // sum of counts
  uint64_t records = 0;
  bool saw_goroutine1 = false;
  bool has_leaked = false;
  // Its first goroutine is a pprof writer, which starts a new dump when
  // the main parser's snapshot already holds goroutines.
  bool opens_dump = false;
  VersionEvidence version;  // merged into the snapshot's
};

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

  // Splitting one input across threads (pipeline/split_load.h). A worker's
  // parser reads a fragment that starts at a goroutine header (or a debug=1
  // record) as if a snapshot of `form` were open, and stops being clean as
  // soon as the result could depend on what came before the fragment.
  // Everything read before is forgotten, except the memos of parsed lines,
  // so one parser can read a worker's fragments one after the other.
  void begin_fragment(Form form);
  bool fragment_clean() const;
  // Emits the goroutine in progress, as the next fragment's header would.
  FragmentSummary end_fragment();
  // On the main parser, where the fragment starts: false (and no change)
  // when the state there differs from what the fragment assumed. Otherwise
  // the caller replays the fragment's goroutines into the sink and then
  // calls end_absorb with the number of input lines before the fragment.
  bool begin_absorb(const FragmentSummary& fragment);
  void end_absorb(const FragmentSummary& fragment, uint64_t line_offset);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gorleak
