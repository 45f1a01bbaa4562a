// Command-line plumbing shared by the subcommands: exit codes, one-line
// errors, and the option groups. Each command builds its
// options_description from these small add_*_options functions (and its
// own), so a new option group is one function and one call.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "pipeline/load.h"
#include "report/format.h"
#include "report/report_output.h"
#include "report/report_options.h"

namespace gorleak::cli {

namespace po = boost::program_options;

// Documented in docs/output.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitFindings = 1,  // --fail-on: a finding at or above the threshold
  kExitUsage = 2,     // bad options, unreadable or unusable input
};

// "gorleak: message" on stderr, one line.
void print_error(std::string_view message);
void print_warning(std::string_view message);  // "gorleak: warning: message"
void print_note(std::string_view message);     // "gorleak: note: message"

struct GeneralOptions {
  bool help = false;
  bool version = false;
};

struct InputOptions {
  std::vector<std::string> files;  // positional FILE...; "-" is stdin
  std::string group_by = "stack";
  bool similar = false;  // --similar = --group-by similar
  unsigned jobs = 1;  // set from --jobs, whose default is default_jobs()
};

unsigned default_jobs();

struct OutputOptions {
  std::string format = "text";
  std::string graph = "tree";  // --graph (dot), analyze and diff
  bool folded_state = false;   // --folded-state
  uint64_t metric_sites = 20;  // --metric-sites
  std::string jsonl = "findings";  // --jsonl findings|groups
  std::string min_severity;  // --min-severity: hide findings below it
  bool summary = false;      // --summary: one line per finding and large group
  bool fold_stdlib = false;  // --fold-stdlib
  std::string color = "auto";
  std::optional<size_t> top;
  uint64_t min_count = 1;
  std::string match;
  std::string exclude;
  std::vector<std::string> modules;
  bool full = false;
};

void add_general_options(po::options_description& desc, GeneralOptions* o);
// FILE... is positional: pair this with input_positionals().
void add_input_options(po::options_description& desc, InputOptions* o);
po::positional_options_description input_positionals();
// The --format values and the format-specific options are those the format
// table (report/format.h) lists for `use`. `own_formats` ("text|jsonl"):
// a command with writers of its own (watch, history) names its formats.
void add_output_options(po::options_description& desc, OutputOptions* o, FormatUse use,
                        std::string_view own_formats = {});

// Parses argv (argv[0] skipped) into `vm` and runs the notifiers. Returns
// false with a one-line message on a usage error.
bool parse_command_line(int argc, char** argv, const po::options_description& desc,
                        const po::positional_options_description& positionals,
                        po::variables_map* vm, std::string* error);

// The start every command shares: parses argv, and answers --help (with
// `print_help`) and --version. Returns -1 when the command should go on,
// else the exit code to return now (a usage error is already printed).
// `parsed` (optional) receives the options as given.
int parse_or_answer(int argc, char** argv, const po::options_description& desc,
                    const po::positional_options_description& positionals,
                    const GeneralOptions& general,
                    void (*print_help)(const po::options_description&),
                    po::variables_map* parsed = nullptr);

// Writes `text` to stdout and flushes; false (with the error printed) when
// stdout fails.
bool write_stdout(std::string_view text);
// The end of every report: flushes `out` (a report written to stdout), then
// the --fail-on gate. kExitUsage when stdout failed; kExitFindings (with
// `gate` printed) when the gate failed; else kExitOk.
int finish_report(ReportOutput& out, const std::string& gate);

// Checks and converts the parsed values; false + message on a bad value.
bool make_load_options(const InputOptions& in, LoadOptions* out, std::string* error);
// Also looks the format up in the table: *format is never null on success.
bool make_report_options(const OutputOptions& in, FormatUse use, ReportOptions* out,
                         const Format** format, std::string* error);
// --color auto: colour when stdout is a terminal and NO_COLOR is unset or empty.
bool resolve_color(std::string_view mode, bool* color, std::string* error);

std::string version_line();  // "gorleak 0.1.0 (commit 1a2b3c4d5e6f)"

// "500ms", "30s", "1m", "2h", "7d", "1.5h", or a bare number of seconds.
// False with a message naming `option` when the text is none of these.
bool parse_duration(std::string_view text, std::string_view option, double* seconds,
                    std::string* error);

}  // namespace gorleak::cli
