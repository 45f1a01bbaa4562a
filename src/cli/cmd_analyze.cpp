// `gorleak [analyze] [options] FILE...`: load every dump, then report.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/project_config.h"
#include "cli/rule_options.h"
#include "cli/series_input.h"
#include "model/catalog.h"
#include "pipeline/load.h"
#include "report/goleak_writer.h"
#include "report/group_filter.h"
#include "report/json_report.h"
#include "report/summary_report.h"
#include "report/text_report.h"
#include "suppress/finding_filter.h"

namespace gorleak::cli {

namespace {

struct AnalyzeArgs {
  GeneralOptions general;
  InputOptions input;
  OutputOptions output;
  RuleOptions rules;  // cli/rule_options.h
  ConfigOptions config;
};

po::options_description analyze_options(AnalyzeArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  add_output_options(desc, &a->output, {"text|json|goleak", "10 in text, all in JSON and goleak"});
  add_rule_options(desc, &a->rules);
  add_config_options(desc, &a->config);
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

  if (!apply_project_config(args.config, vm, &args.rules, &args.output)) return kExitUsage;
  LoadOptions load;
  ReportOptions report;
  if (!check_format(args.output.format, {"text", "json", "goleak"}, &error) ||
      !make_load_options(args.input, &load, &error) ||
      !make_report_options(args.output, &report, &error)) {
    print_error(error);
    return kExitUsage;
  }
  GroupFilter filter;
  if (!filter.init(report, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (!check_rule_options(args.rules, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.input.files.empty()) {
    print_error("no input: name a dump file, or `-` for standard input (see gorleak --help)");
    return kExitUsage;
  }

  Catalog catalog;
  std::vector<Snapshot> snapshots;
  if (!load_dumps(catalog, args.input.files, load, &snapshots)) return kExitUsage;

  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;
  classify_all(*engine, catalog, snapshots);

  // The gate sees every finding the baselines left; --min-severity only
  // hides some from the report.
  std::string gate;
  RuleSeverity fail_on;
  if (!args.rules.fail_on.empty() && severity_from_name(args.rules.fail_on, &fail_on)) {
    uint64_t suppressed = 0;
    for (const Snapshot& s : snapshots) suppressed += s.suppressed_findings;
    gate = fail_on_gate(all_findings(snapshots), fail_on, catalog, suppressed);
  }
  if (report.min_severity)
    for (Snapshot& s : snapshots) remove_findings_below(&s.findings, *report.min_severity);

  std::string out;
  if (args.output.format == "json")
    write_json_report(snapshots, catalog, report, filter, &out, stdout);
  else if (args.output.format == "goleak")
    write_goleak_options(snapshots, catalog, report, filter, &out);
  else if (report.summary)
    write_summary_report(snapshots, catalog, report, filter, &out);
  else
    write_text_report(snapshots, catalog, report, filter, &out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error("cannot write the report to standard output");
    return kExitUsage;
  }
  if (!gate.empty()) {
    print_error(gate);
    return kExitFindings;
  }
  return kExitOk;
}

}  // namespace gorleak::cli
