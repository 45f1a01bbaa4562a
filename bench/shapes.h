// Issue 16: speed where real monoliths live. The inputs of bench/shapes
// (make-inputs.sh names them distinct-*, onestack-*, short-*, crashloop-*,
// crashes-*) get more figures than the classic ones: every output format at
// -j 1, text without the built-in rules, the rules' cost per group (with the
// built-in set and with extra copies of it that match nothing), and
// panicparse, the peer users would otherwise run, on the same file. Every
// input gets the "-j 2 is never slower than -j 1" check, and the 1 GiB
// diff pair, when present, the diff and trend timings.
#pragma once

#include <string>
#include <vector>

#include "bench.h"

namespace gorleak::bench {

// True for the inputs of bench/shapes, by file name.
bool is_shape_input(const std::string& name);

// The --format values the CLI lists in its --help ("text", "json", …).
std::vector<std::string> cli_formats(const std::string& cli);

// Fills fr.shape (fr.cli, the JSON run at -j 1, is already measured).
void measure_shape(const BenchOptions& o, const std::string& self,
                   const std::vector<std::string>& formats, FileReport& fr);

// The diff and trend of two dumps against analysing each of them.
struct DiffTrendReport {
  std::string base, now;  // file names
  uint64_t bytes = 0;     // both files
  ChildResult analyze_base, analyze_now, diff, trend;
};
// Measures when both files exist.
bool measure_diff_trend(const BenchOptions& o, const std::string& base, const std::string& now,
                        DiffTrendReport& out);

// The CLI's peak RSS on a dump of one goroutine: the fixed base of the
// memory formula (start-up, rules, buffers).
uint64_t measure_base_rss(const BenchOptions& o);

// The tables and the "Targets (issue 16)" list, Markdown on stdout.
// `base_rss_kib`: the CLI's peak RSS on a one-goroutine dump.
void print_shape_tables(const BenchOptions& o, const std::vector<FileReport>& reports,
                        const std::vector<std::string>& formats, uint64_t base_rss_kib,
                        const DiffTrendReport* diff_trend);

}  // namespace gorleak::bench
