// `gorleak trend [options] D1 D2 … Dn`: follow every group over a series of
// dumps (in the order given; a file with several dumps adds all of them).
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/series_input.h"
#include "diff/trend.h"
#include "report/trend_report.h"

namespace gorleak::cli {

namespace {

struct TrendArgs {
  GeneralOptions general;
  InputOptions input;
  OutputOptions output;
  TrendOptions trend;
};

po::options_description trend_options(TrendArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  add_output_options(desc, &a->output, {"text|json", "20 in text, all in JSON"});
  desc.add_options()
      ("min-growth", po::value<uint64_t>(&a->trend.min_growth)->value_name("N")->default_value(3),
       "flag a group that never shrinks, rises in ≥ 2 steps and grows by ≥ N over the series");
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
      "For each group: its count in every dump (in the order given), a sparkline,\n"
      "whether it only ever grows, and its growth per dump. A group that grows\n"
      "monotonically across three or more dumps is flagged even when no rule knows it.\n"
      "See docs/diff.md.\n"
      "\n"
      "{}\n"
      "Example:\n"
      "  for i in 1 2 3 4; do curl -s localhost:6060/debug/pprof/goroutine?debug=2 > d$i.txt; "
      "sleep 60; done\n"
      "  gorleak trend d1.txt d2.txt d3.txt d4.txt\n",
      ss.str());
}

}  // namespace

int run_trend(int argc, char** argv) {
  TrendArgs args;
  po::options_description desc = trend_options(&args);
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
  if (!check_format(args.output.format, {"text", "json"}, &error) ||
      !make_load_options(args.input, &load, &error) ||
      !make_report_options(args.output, &report, &error)) {
    print_error(error);
    return kExitUsage;
  }
  SeriesInput in;
  if (args.input.files.empty() || !load_series(args.input.files, load, &in)) {
    if (args.input.files.empty())
      print_error("trend needs dumps: gorleak trend D1 D2 ... Dn (see gorleak trend --help)");
    return kExitUsage;
  }
  if (in.snapshots.size() < 2) {
    print_error("trend needs at least two dumps");
    return kExitUsage;
  }
  std::vector<size_t> all(in.snapshots.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  Trend trend = compute_trend(diff_dumps(in, all), args.trend);

  std::string text;
  if (args.output.format == "json")
    write_trend_json(trend, report, &text);
  else
    write_trend_text(trend, report, &text);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0) {
    print_error("cannot write the report to standard output");
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace gorleak::cli
