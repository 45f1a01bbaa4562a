// What a report shows: how many groups, which ones, and how. Shared by every
// output format so `--top`, `--match` … mean the same thing everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/finding.h"

namespace gorleak {

struct ReportOptions {
  // Groups shown per snapshot. Unset: 10 in text, all in JSON. 0: all.
  std::optional<size_t> top;
  uint64_t min_count = 1;  // hide groups with fewer goroutines
  // RE2 patterns (unanchored search) over a group's raw state, its category
  // name and every function name of its stack and created-by. Empty: off.
  std::string match;    // keep only groups where something matches
  std::string exclude;  // drop groups where something matches
  bool color = false;   // ANSI styles in text output
  // Module path prefixes of the user's own code ("example.com/app"); empty:
  // the first frame outside the standard library and runtime.
  std::vector<std::string> modules;
  bool full = false;             // print every frame, no folding
  bool fold_stdlib = false;      // text: one line per run of stdlib/runtime frames
  bool summary = false;          // text: the one-line-per-item summary (summary_report.h)
  // Findings below this were taken out before any writer (the CLI's
  // selection, like --baseline); unset: all shown.
  std::optional<RuleSeverity> min_severity;
  size_t fold_frames = 8;        // frames shown before a long stack folds
  static constexpr size_t kDefaultTextTop = 10;

  // Knobs of one format each (format.h); the other formats ignore them.
  enum class Graph : uint8_t { kCreationTree, kCalls };
  Graph graph = Graph::kCreationTree;  // dot: --graph tree|calls
  // sarif: file paths are made relative to these checkouts (--source-root);
  // empty: the current directory.
  std::vector<std::string> source_roots;
  bool folded_state = false;  // folded: the state as the first frame
  size_t metric_sites = 20;   // prometheus: leak sites with their own series
  bool jsonl_groups = false;  // jsonl: a line per group (row) instead of per finding
};

}  // namespace gorleak
