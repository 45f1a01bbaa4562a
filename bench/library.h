// The library measured in a fresh process (`gorleak-bench --child-load FILE`):
// load_dump_file (read, parse, group), then classify with the built-in rules,
// each timed on its own, so that the rules' cost per group can be told apart
// from loading. The child prints one line that the parent reads back; the
// child's peak RSS (wait4) is the library's.
#pragma once

#include <cstdint>
#include <string>

#include "child.h"

namespace gorleak::bench {

struct LibResult {
  bool ok = false;
  std::string error;
  double seconds = 0;           // load + classify
  double classify_seconds = 0;  // classify alone
  uint64_t bytes = 0;
  uint64_t goroutines = 0;  // sum of Snapshot::total (debug=1: of counts)
  uint64_t groups = 0;
  uint64_t stacks = 0;
  uint64_t frame_lines = 0;  // distinct (function, file, line) over all stacks
  uint64_t snapshots = 0;
  uint64_t findings = 0;
  size_t rules = 0;
  std::string form;
};

struct ChildLoadOptions {
  unsigned jobs = 1;
  bool classify = true;
  // Each built-in rule is added this many times more under a new id, with
  // function patterns that match nothing: what extra rules cost per group
  // when they do not apply (the target is that they cost nothing).
  int rule_copies = 0;
  // LoadOptions::map_window_bytes: 0 reads the file with pread() (the
  // default), anything else maps it in windows of that size.
  size_t map_window_bytes = 0;
};

// In the child: measures and prints the line; returns the exit status.
int child_load(const std::string& path, const ChildLoadOptions& options);

// In the parent: runs `self --child-load path …` and reads its line back.
struct ChildLib {
  LibResult lib;
  ChildResult proc;
  double seconds = 0;  // for best_of
  uint64_t max_rss_kib = 0;
};
ChildLib library_in_child(const std::string& self, const std::string& path,
                          const ChildLoadOptions& options);

}  // namespace gorleak::bench
