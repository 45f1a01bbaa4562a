// `gorleak trend [options] D1 D2 … Dn`: follow every group over a series of
// dumps (in the order given; a file with several dumps adds all of them;
// URLs are fetched in turn), flag the groups that grow, and classify the
// last dump with that growth.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compare.h"
#include "cli/fetch_options.h"
#include "cli/options.h"
#include "cli/report_context.h"
#include "cli/rule_options.h"
#include "cli/series_input.h"
#include "diff/diff_findings.h"
#include "diff/trend.h"
#include "diff/verdict.h"
#include "report/format.h"
#include "report/trend_report.h"

namespace gorleak::cli {

namespace {

struct TrendArgs {
  GeneralOptions general;
  InputOptions input;
  OutputOptions output;
  RuleOptions rules;
  FetchArgs fetch;
  TrendOptions trend;
};

po::options_description trend_options(TrendArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  add_output_options(desc, &a->output, FormatUse::kTrend);
  add_growth_option(desc, &a->trend.diff.growth);
  add_rule_options(desc, &a->rules);
  add_fetch_options(desc, &a->fetch);
  return desc;
}

void print_help(const po::options_description& desc) {
  std::ostringstream ss;  // Boost prints option tables only to a stream
  ss << desc;
  fmt::print(
      "gorleak trend: follow goroutine groups over a series of dumps\n"
      "\n"
      "Usage:\n"
      "  gorleak trend [options] D1 D2 ... Dn\n"
      "\n"
      "For each group: its count in every dump (in the order given), a sparkline and\n"
      "its growth per dump. A group grows when it never shrinks and rises by at least\n"
      "--min-growth over the series; growing groups are flagged even when no rule\n"
      "knows them, and the findings of the last dump they cover are growth-confirmed.\n"
      "A restart of the service between dumps is seen and growth counted within each\n"
      "run. See docs/diff.md.\n"
      "\n"
      "{}\n"
      "Formats (--format):\n"
      "{}"
      "\n"
      "Examples:\n"
      "  for i in 1 2 3 4; do curl -s localhost:6060/debug/pprof/goroutine?debug=2 > d$i.txt; "
      "sleep 60; done\n"
      "  gorleak trend d1.txt d2.txt d3.txt d4.txt\n"
      "  gorleak trend --fail-on growth d1.txt d2.txt d3.txt   # CI gate\n",
      ss.str(), format_help(FormatUse::kTrend));
}

}  // namespace

int run_trend(int argc, char** argv) {
  TrendArgs args;
  po::options_description desc = trend_options(&args);
  if (int rc = parse_or_answer(argc, argv, desc, input_positionals(), args.general, print_help);
      rc >= 0)
    return rc;
  std::string error;
  LoadOptions load;
  ReportOptions report;
  FetchDumpOptions fetch;
  const Format* format = nullptr;
  if (!make_load_options(args.input, &load, &error) ||
      !make_report_options(args.output, FormatUse::kTrend, &report, &format, &error) ||
      !make_fetch_options(args.fetch, &fetch, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.input.files.empty()) {
    print_error("trend needs dumps: gorleak trend D1 D2 ... Dn (see gorleak trend --help)");
    return kExitUsage;
  }
  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;
  SeriesInput in;
  if (!load_series(args.input.files, load, fetch, &in)) return kExitUsage;
  if (in.snapshots.size() < 2) {
    print_error("trend needs at least two dumps");
    return kExitUsage;
  }
  std::vector<size_t> all(in.snapshots.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  Trend trend = compute_trend(diff_dumps(in, all), args.trend);

  TrendReport out;
  out.trend = &trend;
  const size_t last = trend.diff.dumps.size() - 1;
  out.findings = classify_with_growth(trend.diff, last, *engine->rules, engine->options);
  uint64_t suppressed = 0;
  std::string gate = settle_series_findings(*engine, args.rules, trend.diff, last,
                                            LeakBasis::kGrowth, report, &out.findings, &suppressed);
  out.classified = true;

  ReportContext context = make_report_context(engine.get(), snapshot_sources(in.snapshots));
  std::string buffer;
  ReportOutput text(&buffer, stdout);
  format->trend(TrendInput{out, report, context}, text);
  return finish_report(text, gate);
}

}  // namespace gorleak::cli
