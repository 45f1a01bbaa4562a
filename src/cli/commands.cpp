#include "cli/commands.h"

#include <iterator>

namespace gorleak::cli {

namespace {

// name -> function. Add new subcommands here (one line each).
const Command kCommands[] = {
    {"analyze", "summarise goroutine dumps (the default: `gorleak FILE` = `gorleak analyze FILE`)",
     run_analyze},
    {"rules", "list, explain and test leak rules (`gorleak rules --help`)", run_rules},
    {"diff", "compare dumps: BASE NEW, or IDLE LOADED AFTER (`gorleak diff --help`)", run_diff},
    {"trend", "follow groups over a series of dumps D1 ... Dn", run_trend},
    {"heap", "heap profiles: what holds memory, and growth between profiles (`gorleak heap --help`)",
     run_heap},
};

}  // namespace

std::span<const Command> commands() { return {std::begin(kCommands), std::end(kCommands)}; }

const Command* find_command(std::string_view name) {
  for (const Command& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

int dispatch(int argc, char** argv) {
  // A file that happens to be called like a command is still reachable as
  // ./NAME; options and paths never collide with command names otherwise.
  if (argc >= 2) {
    if (const Command* c = find_command(argv[1])) return c->run(argc - 1, argv + 1);
  }
  // `gorleak --base BASE NEW`, as `go tool pprof -diff_base` users expect.
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--base" || std::string_view(argv[i]).starts_with("--base="))
      return run_diff(argc, argv);
  return run_analyze(argc, argv);
}

}  // namespace gorleak::cli
