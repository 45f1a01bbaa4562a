// `gorleak [analyze] [options] FILE...`: load every dump, then report.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/heap_output.h"
#include "cli/options.h"
#include "cli/rule_options.h"
#include "model/catalog.h"
#include "pipeline/load.h"
#include "pipeline/load_many.h"
#include "report/group_filter.h"
#include "report/json_report.h"
#include "report/text_report.h"

namespace gorleak::cli {

namespace {

struct AnalyzeArgs {
  GeneralOptions general;
  InputOptions input;
  OutputOptions output;
  RuleOptions rules;  // cli/rule_options.h
  HeapOptions heap;   // cli/heap_output.h: for heap profiles among the inputs
};

po::options_description analyze_options(AnalyzeArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  add_output_options(desc, &a->output);
  add_heap_options(desc, &a->heap);
  add_rule_options(desc, &a->rules);
  return desc;
}

// Boost prints option tables only to a stream.
std::string options_text(const po::options_description& desc) {
  std::ostringstream ss;
  ss << desc;
  return ss.str();
}

void print_help(const po::options_description& desc) {
  std::string commands;
  for (const Command& c : gorleak::cli::commands())
    commands += fmt::format("  {:<10}{}\n", c.name, c.summary);
  fmt::print(
      "gorleak: find leaking goroutines in Go goroutine dumps\n"
      "\n"
      "Usage:\n"
      "  gorleak [options] FILE...       analyse dumps; FILE `-` reads standard input\n"
      "  gorleak COMMAND [options] ...   run a subcommand\n"
      "\n"
      "Reads pprof goroutine profiles (debug=1 and debug=2), runtime.Stack output,\n"
      "panics, fatal errors, SIGQUIT dumps, test timeouts, goroutineleak profiles and\n"
      "goleak reports, with or without log prefixes, and groups the goroutines by\n"
      "blocking state and stack.\n"
      "\n"
      "Commands:\n"
      "{}"
      "\n"
      "{}\n"
      "Examples:\n"
      "  curl -s 'localhost:6060/debug/pprof/goroutine?debug=2' | gorleak -\n"
      "  gorleak --top 5 goroutines.txt\n"
      "  gorleak --format json goroutines.txt > report.json\n"
      "  gorleak --match 'chan (send|receive)' --min-count 10 goroutines.txt\n"
      "  gorleak --exclude 'net/http' --module example.com/app --full crash.log\n"
      "  gorleak --group-by function before.txt after.txt\n"
      "\n"
      "Exit codes: 0 ok; 1 a finding at or above --fail-on; 2 usage or input error.\n",
      commands, options_text(desc));
}

// Loads every input into one catalog, in order. On an unusable input prints
// one line and returns false.
bool load_inputs(Catalog& catalog, const std::vector<std::string>& files,
                 const LoadOptions& load, std::vector<Snapshot>* snapshots,
                 std::vector<HeapProfile>* heaps) {
  std::vector<LoadResult> results = load_dump_files(catalog, files, load);
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i];
    LoadResult& r = results[i];
    if (!r.ok) {
      for (const Diagnostic& d : r.diagnostics) {
        if (d.severity != Severity::kError) continue;
        print_error(d.format());
        return false;
      }
      print_error(fmt::format("{}: cannot read this input", path));
      return false;
    }
    for (const Diagnostic& d : r.diagnostics) {
      if (d.severity == Severity::kNote) continue;
      print_warning(d.format());
    }
    for (HeapProfile& h : r.heap_profiles) heaps->push_back(std::move(h));
    if (r.snapshots.empty() && !r.heap_profiles.empty()) continue;
    if (r.snapshots.empty()) {
      if (r.bytes == 0)
        print_error(fmt::format("{}: empty input: no goroutine dump to read", path));
      else
        print_error(fmt::format(
            "{}: no goroutine dump found (expected `goroutine N [state]:` blocks or a "
            "`goroutine profile: total N` header)",
            path));
      return false;
    }
    for (Snapshot& s : r.snapshots) snapshots->push_back(std::move(s));
  }
  return true;
}

}  // namespace

int run_analyze(int argc, char** argv) {
  AnalyzeArgs args;
  po::options_description desc = analyze_options(&args);
  po::variables_map vm;
  std::string error;
  if (!parse_command_line(argc, argv, desc, input_positionals(), &vm, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.general.help) {
    print_help(desc);
    return kExitOk;
  }
  if (args.general.version) {
    fmt::print("{}\n", version_line());
    return kExitOk;
  }

  LoadOptions load;
  ReportOptions report;
  if (!make_load_options(args.input, &load, &error) ||
      !make_report_options(args.output, &report, &error)) {
    print_error(error);
    return kExitUsage;
  }
  GroupFilter filter;
  if (!filter.init(report, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.input.files.empty()) {
    print_error("no input: name a dump file, or `-` for standard input (see gorleak --help)");
    return kExitUsage;
  }

  Catalog catalog;
  std::vector<Snapshot> snapshots;
  std::vector<HeapProfile> heaps;
  if (!load_inputs(catalog, args.input.files, load, &snapshots, &heaps)) return kExitUsage;

  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;
  classify_all(*engine, catalog, snapshots);
  if (!heaps.empty()) {
    // A heap profile among the inputs: the goroutine report comes first
    // (text), then the heap report joined with it (cli/heap_output.h).
    if (!snapshots.empty() && args.output.format == "text") {
      std::string out;
      write_text_report(snapshots, catalog, report, filter, &out);
      out += "\n";
      std::fwrite(out.data(), 1, out.size(), stdout);
    }
    return report_heap(heaps, snapshots, catalog, *engine, args.output, args.heap,
                       args.rules.fail_on);
  }

  std::string out;
  if (args.output.format == "json")
    write_json_report(snapshots, catalog, report, filter, &out, stdout);
  else
    write_text_report(snapshots, catalog, report, filter, &out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error("cannot write the report to standard output");
    return kExitUsage;
  }
  RuleSeverity fail_on;
  if (!args.rules.fail_on.empty() && parse_fail_on(args.rules.fail_on, &fail_on) &&
      any_finding_at_or_above(snapshots, fail_on))
    return kExitFindings;
  return kExitOk;
}

}  // namespace gorleak::cli
