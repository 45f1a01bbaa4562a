// The subcommand registry: `gorleak NAME args…` runs the command called NAME;
// anything else runs `analyze`. To add a command, write cmd_NAME.cpp with a
// `int run_NAME(int argc, char** argv)`, declare it below, and add one line
// to the table in commands.cpp.
#pragma once

#include <span>
#include <string_view>

namespace gorleak::cli {

struct Command {
  std::string_view name;
  std::string_view summary;  // one line for `gorleak --help`
  // argv[0] is the command name (or the program name for the default).
  int (*run)(int argc, char** argv);
};

std::span<const Command> commands();
const Command* find_command(std::string_view name);

// Runs the command named by argv[1], or analyze.
int dispatch(int argc, char** argv);

// One function per cmd_*.cpp.
int run_analyze(int argc, char** argv);
int run_rules(int argc, char** argv);  // cmd_rules.cpp
int run_diff(int argc, char** argv);   // cmd_diff.cpp
int run_trend(int argc, char** argv);  // cmd_trend.cpp
int run_probe(int argc, char** argv);  // cmd_probe.cpp
int run_watch(int argc, char** argv);  // cmd_watch.cpp
int run_history(int argc, char** argv);  // cmd_history.cpp
int run_baseline(int argc, char** argv);  // cmd_baseline.cpp
int run_redact(int argc, char** argv);    // cmd_redact.cpp
int run_heap(int argc, char** argv);   // cmd_heap.cpp

}  // namespace gorleak::cli
