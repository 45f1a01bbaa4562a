// `gorleak [analyze] [options] FILE...`: load every dump, then report.
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/fetch_options.h"
#include "cli/heap_output.h"
#include "cli/options.h"
#include "cli/project_config.h"
#include "cli/report_context.h"
#include "cli/rule_options.h"
#include "cli/series_input.h"
#include "cli/url_input.h"
#include "model/catalog.h"
#include "pipeline/load.h"
#include "pipeline/load_many.h"
#include "report/format.h"
#include "report/group_filter.h"
#include "report/text_report.h"
#include "suppress/finding_filter.h"

namespace gorleak::cli {

namespace {

struct AnalyzeArgs {
  GeneralOptions general;
  InputOptions input;
  OutputOptions output;
  RuleOptions rules;  // cli/rule_options.h
  FetchArgs fetch;    // cli/fetch_options.h
  std::string save;
  ConfigOptions config;
  HeapOptions heap;   // cli/heap_output.h: for heap profiles among the inputs
};

po::options_description analyze_options(AnalyzeArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  add_output_options(desc, &a->output, FormatUse::kAnalyze);
  add_heap_options(desc, &a->heap);
  add_rule_options(desc, &a->rules);
  add_fetch_options(desc, &a->fetch);
  desc.add_options()
      ("save", po::value<std::string>(&a->save)->value_name("FILE"),
       "with one URL: keep the dump as fetched in FILE (gzip when FILE ends in .gz), "
       "so `gorleak FILE` gives this report again");
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
      "  gorleak [options] URL           fetch and analyse a running service's dump\n"
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
      "Formats (--format):\n"
      "{}"
      "\n"
      "Examples:\n"
      "  gorleak http://localhost:6060          (= /debug/pprof/goroutine?debug=2)\n"
      "  curl -s 'localhost:6060/debug/pprof/goroutine?debug=2' | gorleak -\n"
      "  gorleak --top 5 goroutines.txt\n"
      "  gorleak --format json goroutines.txt > report.json\n"
      "  gorleak --match 'chan (send|receive)' --min-count 10 goroutines.txt\n"
      "  gorleak --exclude 'net/http' --module example.com/app --full crash.log\n"
      "  gorleak --group-by function before.txt after.txt\n"
      "\n"
      "Exit codes: 0 ok; 1 a finding at or above --fail-on; 2 usage or input error.\n",
      commands, options_text(desc), format_help(FormatUse::kAnalyze));
}

}  // namespace

int run_analyze(int argc, char** argv) {
  AnalyzeArgs args;
  po::options_description desc = analyze_options(&args);
  po::variables_map vm;
  if (int rc = parse_or_answer(argc, argv, desc, input_positionals(), args.general, print_help, &vm);
      rc >= 0)
    return rc;
  std::string error;

  if (!apply_project_config(args.config, vm, &args.rules, &args.output)) return kExitUsage;
  LoadOptions load;
  ReportOptions report;
  const Format* format = nullptr;
  if (!make_load_options(args.input, &load, &error) ||
      !make_report_options(args.output, FormatUse::kAnalyze, &report, &format, &error)) {
    print_error(error);
    return kExitUsage;
  }
  report.source_roots = args.rules.source_roots;
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

  FetchDumpOptions fetch;
  if (!make_fetch_options(args.fetch, &fetch, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (!args.save.empty()) {
    if (args.input.files.size() != 1 || !looks_like_url(args.input.files[0])) {
      print_error("--save: name exactly one URL to fetch");
      return kExitUsage;
    }
    fetch.save_path = args.save;
    fetch.save_gzip = args.save.size() > 3 && args.save.substr(args.save.size() - 3) == ".gz";
  }

  Catalog catalog;
  std::vector<Snapshot> snapshots;
  std::vector<std::string> failures;
  std::vector<HeapProfile> heaps;
  if (!load_dumps(catalog, args.input.files, load, fetch, &snapshots, &failures, &heaps))
    return kExitUsage;

  if (args.rules.fail_on == "growth") {
    print_error("--fail-on growth needs dumps to compare: use diff, trend, probe or watch");
    return kExitUsage;
  }
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

  ReportContext context = make_report_context(engine.get(), snapshot_sources(snapshots));
  std::string buffer;
  ReportOutput out(&buffer, stdout);
  write_report(*format, snapshots, catalog, report, filter, out, &context);
  if (out.failed() || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error("cannot write the report to standard output");
    return kExitUsage;
  }
  // A transfer that broke off: the report above is what was read.
  for (const std::string& f : failures) print_error(f);
  if (!failures.empty()) return kExitUsage;
  if (!gate.empty()) {
    print_error(gate);
    return kExitFindings;
  }
  return kExitOk;
}

}  // namespace gorleak::cli
