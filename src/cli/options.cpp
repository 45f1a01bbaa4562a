#include "cli/options.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "report/text_escape.h"
#include "cli/rule_options.h"

namespace gorleak::cli {

// Messages quote file names and dump text: escaped, so nothing raw reaches
// the terminal (report/text_escape.h).
void print_error(std::string_view message) {
  fmt::print(stderr, "gorleak: {}\n", text_escaped(message));
}

void print_warning(std::string_view message) {
  fmt::print(stderr, "gorleak: warning: {}\n", text_escaped(message));
}

void print_note(std::string_view message) {
  fmt::print(stderr, "gorleak: note: {}\n", message);
}

// GORLEAK_COMMIT is set for this file only (CMakeLists.txt), when the
// build was configured in a git checkout: other files do not recompile
// when it changes.
std::string version_line() {
#ifdef GORLEAK_COMMIT
  return fmt::format("gorleak {} (commit {})", GORLEAK_VERSION, GORLEAK_COMMIT);
#else
  return fmt::format("gorleak {} (commit unknown: not built from a git checkout)", GORLEAK_VERSION);
#endif
}

namespace {

// Boost reads "-1" into an unsigned as 2^64-1, so counts are taken as text
// and parsed strictly here; a bad value is a usage error like any other.
po::typed_value<std::string>* count_value(const char* option,
                                          std::function<void(uint64_t)> set) {
  return po::value<std::string>()->value_name("N")->notifier(
      [option, set = std::move(set)](const std::string& text) {
        uint64_t v = 0;
        bool ok = !text.empty() && text.size() <= 19;
        for (char c : text) {
          if (c < '0' || c > '9') ok = false;
          else v = v * 10 + static_cast<uint64_t>(c - '0');
        }
        if (!ok) {
          po::invalid_option_value e(text);
          e.set_option_name(std::string("--") + option);
          throw e;
        }
        set(v);
      });
}

}  // namespace

void add_general_options(po::options_description& desc, GeneralOptions* o) {
  desc.add_options()
      ("help,h", po::bool_switch(&o->help), "show this help and exit")
      ("version", po::bool_switch(&o->version), "print the version and exit");
}

// Both cores of a laptop or CI runner; a 64-core server gains nothing from
// more than a few threads on one dump, and each costs a catalog.
unsigned default_jobs() {
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : std::min(cores, 64u);
}

void add_input_options(po::options_description& desc, InputOptions* o) {
  desc.add_options()
      ("input", po::value<std::vector<std::string>>(&o->files)->value_name("FILE"),
       "dump file(s); `-` reads standard input (also positional)")
      ("group-by", po::value<std::string>(&o->group_by)->value_name("stack|function|similar")
                       ->default_value("stack"),
       "group goroutines by identical stack (function + file:line), by "
       "function names only (survives small code changes), or by similar stacks "
       "(function names only, arguments ignored even where they print as `...`)")
      ("similar", po::bool_switch(&o->similar),
       "= --group-by similar: stacks that differ only in line numbers and arguments "
       "form one group (panicparse's aggressive mode)")
      ("jobs,j",
       count_value("jobs", [o](uint64_t v) { o->jobs = static_cast<unsigned>(std::min<uint64_t>(v, 1024)); })
           ->default_value(std::to_string(default_jobs())),
       "threads: one input is split across them, several FILEs load in parallel; "
       "output is identical to -j 1 (default: the number of cores)");
}

po::positional_options_description input_positionals() {
  po::positional_options_description p;
  p.add("input", -1);
  return p;
}

void add_output_options(po::options_description& desc, OutputOptions* o, FormatUse use,
                        std::string_view own_formats) {
  // Boost copies the help texts.
  std::string top_help =
      use == FormatUse::kAnalyze
          ? "show the N largest groups per snapshot (default: 10 in text, all in other formats; "
            "0 = all)"
          : "show the N largest groups (default: 20 rows per section in text, all in other "
            "formats; 0 = all)";
  desc.add_options()
      ("format", po::value<std::string>(&o->format)
                     ->value_name(own_formats.empty() ? format_names(use) : std::string(own_formats))
                     ->default_value("text"),
       own_formats.empty() ? "output format (the list below)" : "output format")
      ("top", count_value("top", [o](uint64_t v) { o->top = static_cast<size_t>(v); }),
       top_help.c_str())
      ("min-count", count_value("min-count", [o](uint64_t v) { o->min_count = v; })->default_value("1"),
       "hide groups with fewer than N goroutines")
      ("match", po::value<std::string>(&o->match)->value_name("RE"),
       "only groups whose state or any function name matches the RE2 regex")
      ("exclude", po::value<std::string>(&o->exclude)->value_name("RE"),
       "hide groups whose state or any function name matches the RE2 regex")
      ("module", po::value<std::vector<std::string>>(&o->modules)->value_name("PREFIX")
                     ->composing(),
       "module path of your own code (repeatable), e.g. example.com/app; "
       "default: the first frame outside the standard library")
      ("full", po::bool_switch(&o->full), "print whole stacks, no folding")
      ("fold-stdlib", po::bool_switch(&o->fold_stdlib),
       "text: fold each run of standard-library and runtime frames into one line")
      ("min-severity", po::value<std::string>(&o->min_severity)->value_name("SEVERITY"),
       "show only findings at or above SEVERITY (any case); --fail-on still sees all")
      ("summary", po::bool_switch(&o->summary),
       "text: one line per finding and per large group, like `pprof -top`")
      ("color", po::value<std::string>(&o->color)->value_name("auto|always|never")
                    ->default_value("auto"),
       "colour the text report (auto: when stdout is a terminal and NO_COLOR "
       "is not set)");
  // A command with its own writers (watch, history) takes none of the
  // table's per-format options.
  if (!own_formats.empty()) return;
  if (find_format("dot")->supports(use))
    desc.add_options()
        ("graph", po::value<std::string>(&o->graph)->value_name("tree|calls")->default_value("tree"),
         "with --format dot: the goroutine creation tree or the grouped call graph");
  if (find_format("jsonl")->supports(use))
    desc.add_options()
        ("jsonl",
         po::value<std::string>(&o->jsonl)->value_name("findings|groups")->default_value("findings"),
         "with --format jsonl: one line per finding or per group (trend: always per group)");
  if (find_format("folded")->supports(use))
    desc.add_options()
        ("folded-state", po::bool_switch(&o->folded_state),
         "with --format folded: start each stack with the goroutines' state");
  if (find_format("prometheus")->supports(use))
    desc.add_options()
        ("metric-sites",
         count_value("metric-sites", [o](uint64_t v) { o->metric_sites = v; })->default_value("20"),
         "with --format prometheus: leak sites with their own series (the rest are "
         "site=\"other\")");
}

bool parse_command_line(int argc, char** argv, const po::options_description& desc,
                        const po::positional_options_description& positionals,
                        po::variables_map* vm, std::string* error) {
  try {
    po::store(po::command_line_parser(argc, argv)
                  .options(desc)
                  .positional(positionals)
                  .style(po::command_line_style::default_style &
                         ~po::command_line_style::allow_guessing)
                  .run(),
              *vm);
    po::notify(*vm);
  } catch (const po::error& e) {
    *error = fmt::format("{} (see gorleak --help)", e.what());
    return false;
  }
  return true;
}

bool parse_duration(std::string_view text, std::string_view option, double* seconds,
                    std::string* error) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.'))
    ++digits;
  std::string_view number = text.substr(0, digits), unit = text.substr(digits);
  double scale = unit.empty() ? 1.0 : -1.0;
  for (const auto& [name, factor] : kUnits)
    if (unit == name) scale = factor;
  double value = 0;
  bool ok = !number.empty() && scale > 0 && number.find('.') == number.rfind('.');
  if (ok) {
    try {
      value = std::stod(std::string(number));
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) {
    *error = fmt::format("{}: expected a duration such as 500ms, 30s, 5m, 2h or 7d, got '{}'",
                         option, text);
    return false;
  }
  *seconds = value * scale;
  return true;
}

int parse_or_answer(int argc, char** argv, const po::options_description& desc,
                    const po::positional_options_description& positionals,
                    const GeneralOptions& general,
                    void (*print_help)(const po::options_description&),
                    po::variables_map* parsed) {
  po::variables_map local;
  po::variables_map& vm = parsed ? *parsed : local;
  std::string error;
  if (!parse_command_line(argc, argv, desc, positionals, &vm, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (general.help) {
    print_help(desc);
    return kExitOk;
  }
  if (general.version) {
    fmt::print("{}\n", version_line());
    return kExitOk;
  }
  return -1;
}

bool write_stdout(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error("cannot write the report to standard output");
    return false;
  }
  return true;
}

int finish_report(ReportOutput& out, const std::string& gate) {
  out.flush();
  if (out.failed() || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error("cannot write the report to standard output");
    return kExitUsage;
  }
  if (gate.empty()) return kExitOk;
  print_error(gate);
  return kExitFindings;
}

bool make_load_options(const InputOptions& in, LoadOptions* out, std::string* error) {
  if (in.similar && in.group_by != "stack" && in.group_by != "similar") {
    *error = fmt::format("--similar and --group-by {} contradict each other", in.group_by);
    return false;
  }
  if (in.similar || in.group_by == "similar") {
    out->group.group_by = GroupBy::kSimilar;
  } else if (in.group_by == "stack") {
    out->group.group_by = GroupBy::kStack;
  } else if (in.group_by == "function") {
    out->group.group_by = GroupBy::kFunction;
  } else {
    *error = fmt::format("--group-by: expected stack, function or similar, got '{}'", in.group_by);
    return false;
  }
  if (in.jobs == 0) {
    *error = "--jobs: expected a number of threads of at least 1";
    return false;
  }
  out->jobs = in.jobs;
  return true;
}

bool resolve_color(std::string_view mode, bool* color, std::string* error) {
  if (mode == "always") {
    *color = true;
  } else if (mode == "never") {
    *color = false;
  } else if (mode == "auto") {
    const char* no_color = std::getenv("NO_COLOR");
    *color = isatty(STDOUT_FILENO) && (no_color == nullptr || *no_color == '\0');
  } else {
    *error = fmt::format("--color: expected auto, always or never, got '{}'", mode);
    return false;
  }
  return true;
}

bool make_report_options(const OutputOptions& in, FormatUse use, ReportOptions* out,
                         const Format** format, std::string* error) {
  *format = resolve_format(in.format, use, error);
  if (*format == nullptr) return false;
  if (in.summary && in.format != "text") {
    *error = fmt::format("--summary is a text report; it cannot go with --format {}", in.format);
    return false;
  }
  if (in.graph == "tree") {
    out->graph = ReportOptions::Graph::kCreationTree;
  } else if (in.graph == "calls") {
    out->graph = ReportOptions::Graph::kCalls;
  } else {
    *error = fmt::format("--graph: expected tree or calls, got '{}'", in.graph);
    return false;
  }
  if (!in.min_severity.empty()) {
    RuleSeverity s;
    if (!severity_from_name(in.min_severity, &s)) {
      *error = fmt::format("--min-severity: '{}' is not a severity (info, low, medium, high, critical)",
                           in.min_severity);
      return false;
    }
    out->min_severity = s;
  }
  if (!resolve_color(in.color, &out->color, error)) return false;
  out->folded_state = in.folded_state;
  if (in.jsonl != "findings" && in.jsonl != "groups") {
    *error = fmt::format("--jsonl: expected findings or groups, got '{}'", in.jsonl);
    return false;
  }
  out->jsonl_groups = in.jsonl == "groups";
  out->metric_sites = static_cast<size_t>(std::min<uint64_t>(in.metric_sites, 100000));
  out->summary = in.summary;
  out->fold_stdlib = in.fold_stdlib;
  out->top = in.top;
  out->min_count = in.min_count;
  out->match = in.match;
  out->exclude = in.exclude;
  out->modules = in.modules;
  out->full = in.full;
  return true;
}

}  // namespace gorleak::cli
