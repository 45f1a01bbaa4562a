#include "cli/commands.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/options.h"

namespace gorleak::cli {

namespace {

// name -> function. Add new subcommands here (one line each).
const Command kCommands[] = {
    {"analyze", "summarise goroutine dumps (the default: `gorleak FILE` = `gorleak analyze FILE`)",
     run_analyze},
    {"rules", "list, explain and test leak rules (`gorleak rules --help`)", run_rules},
    {"diff", "compare dumps: BASE NEW, or IDLE LOADED AFTER (`gorleak diff --help`)", run_diff},
    {"trend", "follow groups over a series of dumps D1 ... Dn", run_trend},
    {"probe", "idle → loaded → after of a running service around a load command", run_probe},
    {"watch", "sample running services over time (live view, history database)", run_watch},
    {"history", "what watch --db recorded: growth over days, across restarts", run_history},
    {"baseline", "accept today's findings: `gorleak baseline write FILE DUMP`", run_baseline},
    {"redact", "a dump fit to share: placeholders for labels, arguments, paths (`--help`)",
     run_redact},
    {"heap", "heap profiles: what holds memory, and growth between profiles (`gorleak heap --help`)",
     run_heap},
};

// Edits (insert, delete, replace one byte) between two short words.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// A first word that is no file and almost a command name ("dif", "trnd")
// is a typo, not a dump to read.
const Command* misspelt_command(std::string_view word) {
  if (word.empty() || word[0] == '-' || word.size() > 16) return nullptr;
  std::error_code ec;
  if (std::filesystem::exists(std::string(word), ec)) return nullptr;
  const Command* best = nullptr;
  size_t best_distance = 3;
  for (const Command& c : kCommands) {
    size_t d = edit_distance(word, c.name);
    if (d < best_distance && d < c.name.size()) {
      best = &c;
      best_distance = d;
    }
  }
  return best;
}

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
    if (const Command* c = misspelt_command(argv[1])) {
      print_error(fmt::format("'{}' is neither a file nor a command; did you mean `gorleak {}`?",
                              argv[1], c->name));
      return kExitUsage;
    }
  }
  // `gorleak --base BASE NEW`, as `go tool pprof -diff_base` users expect.
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--base" || std::string_view(argv[i]).starts_with("--base="))
      return run_diff(argc, argv);
  return run_analyze(argc, argv);
}

}  // namespace gorleak::cli
