// What gorleak-bench measures for one input file, shared by the tables of
// issue 5 (bench_parse.cpp: throughput, stdin, -j 2, memory on the classic
// inputs) and of issue 16 (shapes.cpp: many distinct stacks, short stacks,
// crash loops, every output format, the rules' cost per group, panicparse).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "child.h"
#include "library.h"

namespace gorleak::bench {

struct BenchOptions {
  std::vector<std::string> files;
  std::string cli = GORLEAK_CLI_PATH;
  std::string panicparse;     // the panicparse harness (bench/peer), "" = none
  double peer_timeout = 120;  // seconds before a panicparse run is stopped
  int runs = 3;
  double budget = 20.0;  // seconds per measurement before repeats stop
  int rule_copies = 4;   // extra copies of the built-in rules for the rules' cost
  bool no_cli = false;
  bool no_classify = false;
};

struct ScanResult {
  uint64_t bytes = 0;
  uint64_t lines = 0;
  double seconds = 0;
  bool ok = false;
};

// Issue 16's extra figures, for the inputs of bench/shapes.
struct ShapeReport {
  bool measured = false;
  std::vector<std::pair<std::string, ChildResult>> formats;  // -j 1, every format but json
  ChildResult text_no_builtin;
  ChildLib rules;         // classify time with the built-in rules
  ChildLib rules_copies;  // … with BenchOptions::rule_copies more copies that never match
  ChildResult panicparse;
  uint64_t panicparse_goroutines = 0;
  uint64_t panicparse_buckets = 0;
};

struct FileReport {
  std::string path, name;
  uint64_t size = 0;
  ScanResult scan;
  LibResult lib;
  ChildResult lib_rss;
  double lib_mapped_seconds = 0;  // the library load through mmap windows
  ChildResult cli, cli_stdin, cli_j2, cli_stdin_j2;  // --format json
  ShapeReport shape;
};

}  // namespace gorleak::bench
