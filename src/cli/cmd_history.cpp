// `gorleak history --db FILE [--since 7d] [--url URL]`: what the watchers
// recorded (store/history_store.h), each target's groups over time with
// the same growth definition as trend and watch; groups are matched by the
// restart-proof signature, so growth shows across restarts of the service
// and across runs of the watcher. --format jsonl exports the samples as
// JSON Lines for another engine.
#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compare.h"
#include "cli/options.h"
#include "cli/rule_options.h"
#include "fetch/pprof_endpoints.h"
#include "report/sample_jsonl.h"
#include "report/watch_report.h"
#include "store/history_store.h"
#include "watch/target_series.h"

namespace gorleak::cli {

namespace {

struct HistoryArgs {
  GeneralOptions general;
  OutputOptions output;
  RuleOptions rules;
  TrendOptions trend;
  std::string db;
  std::string since;
  std::string url;
  size_t max_samples = 500;
};

po::options_description history_options(HistoryArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  desc.add_options()
      ("db", po::value<std::string>(&a->db)->value_name("FILE"), "the history database (required)")
      ("since", po::value<std::string>(&a->since)->value_name("DURATION"),
       "only samples taken in the last DURATION, e.g. 7d, 12h")
      ("url", po::value<std::string>(&a->url)->value_name("URL"),
       "only this target (as given to watch)")
      ("max-samples", po::value<size_t>(&a->max_samples)->value_name("N")->default_value(500),
       "per target, thin longer histories evenly to N samples (0: all)");
  // The text and jsonl writers are their own (report/watch_report.h):
  // trend's output options apply, and the format is checked below.
  add_output_options(desc, &a->output, FormatUse::kTrend, "text|jsonl");
  add_growth_option(desc, &a->trend.diff.growth);
  add_rule_options(desc, &a->rules);
  return desc;
}

void print_help(const po::options_description& desc) {
  std::ostringstream ss;
  ss << desc;
  fmt::print(
      "gorleak history: what gorleak watch --db recorded\n"
      "\n"
      "Usage:\n"
      "  gorleak history --db FILE [--since 7d] [--url URL] [--format text|jsonl]\n"
      "\n"
      "Per target: each group's count over time, the groups that grow (never shrink,\n"
      "and rise by at least --min-growth; restarts of the service are seen and growth\n"
      "is counted within each run), the findings of the newest sample confirmed by\n"
      "that growth, and the sites that grow on several instances of one service.\n"
      "--format jsonl writes every sample as one JSON line (docs/history.md).\n"
      "\n"
      "{}",
      ss.str());
}

}  // namespace

int run_history(int argc, char** argv) {
  HistoryArgs args;
  po::options_description desc = history_options(&args);
  if (int rc = parse_or_answer(argc, argv, desc, {}, args.general, print_help);
      rc >= 0)
    return rc;
  std::string error;
  ReportOptions report;
  const Format* unused_format = nullptr;
  OutputOptions checked = args.output;
  const bool jsonl = args.output.format == "jsonl";
  if (args.output.format != "text" && !jsonl) {
    print_error(fmt::format("--format: expected text or jsonl, got '{}'", args.output.format));
    return kExitUsage;
  }
  checked.format = "text";
  if (!make_report_options(checked, FormatUse::kTrend, &report, &unused_format, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.db.empty()) {
    print_error("history needs --db FILE (see gorleak history --help)");
    return kExitUsage;
  }
  HistoryQuery query;
  query.max_samples = args.max_samples;
  if (!args.since.empty()) {
    double seconds = 0;
    if (!parse_duration(args.since, "--since", &seconds, &error)) {
      print_error(error);
      return kExitUsage;
    }
    double now = std::chrono::duration<double>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
    query.since = now - seconds;
  }
  if (!args.url.empty()) {
    PprofEndpoints ep;
    query.url = pprof_endpoints(args.url, &ep, &error) ? ep.shown : args.url;
  }
  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;

  Diagnostic d;
  auto store = HistoryStore::open(args.db, /*create=*/false, &d);
  if (!store) {
    print_error(d.format());
    return kExitUsage;
  }
  auto catalog = std::make_shared<Catalog>();
  std::vector<StoredSample> samples;
  if (!store->load(query, *catalog, &samples, &d)) {
    print_error(d.format());
    return kExitUsage;
  }
  if (samples.empty()) {
    print_error(fmt::format("{}: no samples{}{}", args.db,
                            query.url.empty() ? "" : " of " + query.url,
                            args.since.empty() ? "" : " in the last " + args.since));
    return kExitUsage;
  }

  std::string out;
  if (jsonl) {
    for (const StoredSample& s : samples)
      write_sample_jsonl(s.info.url, s.info.service, s.info.taken_at, s.snapshot, *catalog,
                         args.output.modules, &out);
  } else {
    std::vector<std::unique_ptr<TargetSeries>> series;
    for (StoredSample& s : samples) {
      if (series.empty() || series.back()->url() != s.info.url)
        series.push_back(std::make_unique<TargetSeries>(s.info.url, s.info.service, catalog));
      series.back()->add(std::move(s.snapshot), s.info.taken_at, args.trend);
    }
    std::vector<const TargetSeries*> views;
    for (auto& s : series) {
      s->classify_latest(*engine->rules, engine->options);
      views.push_back(s.get());
    }
    write_watch_report(views, report, &out);
    if (!write_stdout(out)) return kExitUsage;
    return targets_exit_code(args.rules, views);
  }
  return write_stdout(out) ? kExitOk : kExitUsage;
}

}  // namespace gorleak::cli
