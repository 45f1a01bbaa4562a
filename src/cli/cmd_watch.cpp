// `gorleak watch URL… [--targets FILE] --every 1m [--for 2h | --samples N]
// [--db FILE]`: sample running services on a schedule, follow every group
// as `trend` does, confirm findings by growth, optionally record each
// sample in the history database (store/history_store.h). Several targets
// are fetched concurrently over at most --max-connections connections.
//
// Output: on a terminal a live view redrawn in place; otherwise one summary
// line per sample (or one JSON line with --format jsonl); at the end (the
// last sample, or Ctrl-C / SIGTERM) each target's trend report.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compare.h"
#include "cli/fetch_options.h"
#include "cli/options.h"
#include "cli/rule_options.h"
#include "fetch/fetch_dump.h"
#include "fetch/pprof_endpoints.h"
#include "report/sample_jsonl.h"
#include "report/watch_report.h"
#include "store/history_store.h"
#include "watch/target_series.h"

namespace gorleak::cli {

namespace {

struct WatchArgs {
  GeneralOptions general;
  InputOptions input;  // positional URLs
  OutputOptions output;
  RuleOptions rules;
  FetchArgs fetch;
  TrendOptions trend;
  std::string targets_file;
  std::string every = "1m";
  std::string for_;
  std::optional<uint64_t> samples;
  std::string db;
  unsigned max_connections = 4;
};

po::options_description watch_options(WatchArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  desc.add_options()
      ("targets", po::value<std::string>(&a->targets_file)->value_name("FILE"),
       "watch the URLs in FILE too: one per line, `URL [SERVICE]`; # starts a comment. "
       "Instances of one SERVICE are reported together")
      ("every", po::value<std::string>(&a->every)->value_name("DURATION")->default_value("1m"),
       "time between samples")
      ("for", po::value<std::string>(&a->for_)->value_name("DURATION"),
       "stop after this long (default: until Ctrl-C)")
      ("samples", po::value<uint64_t>()->value_name("N")->notifier([a](uint64_t n) { a->samples = n; }),
       "stop after N samples of each target")
      ("db", po::value<std::string>(&a->db)->value_name("FILE"),
       "record every sample in this SQLite history (created when missing; see gorleak history)")
      ("max-connections",
       po::value<unsigned>(&a->max_connections)->value_name("N")->default_value(4),
       "fetch at most N targets at once");
  // The text and jsonl writers are their own (report/watch_report.h):
  // trend's output options apply, and the format is checked below.
  add_output_options(desc, &a->output, FormatUse::kTrend, "text|jsonl");
  add_growth_option(desc, &a->trend.diff.growth);
  add_rule_options(desc, &a->rules);
  add_fetch_options(desc, &a->fetch);
  return desc;
}

void print_help(const po::options_description& desc) {
  std::ostringstream ss;
  ss << desc;
  fmt::print(
      "gorleak watch: sample running services and follow their goroutines over time\n"
      "\n"
      "Usage:\n"
      "  gorleak watch [options] URL... [--targets FILE] [--every 1m] [--for 2h | --samples N]\n"
      "\n"
      "Each sample is a goroutine dump fetched from the URL (as `gorleak URL`). Groups\n"
      "that grow (never shrink, and rise by at least --min-growth) are flagged and\n"
      "confirm the findings that cover them. On a terminal the view is redrawn in\n"
      "place; otherwise each sample prints one line (--format jsonl: one JSON object).\n"
      "The end (the last sample, or Ctrl-C) prints each target's trend report.\n"
      "See docs/history.md.\n"
      "\n"
      "{}\n"
      "Examples:\n"
      "  gorleak watch http://localhost:6060 --every 1m --for 2h --db leaks.db\n"
      "  gorleak watch --targets fleet.txt --every 5m --db fleet.db --format jsonl >> samples.jsonl\n"
      "  gorleak history --db leaks.db --since 7d\n",
      ss.str());
}

struct Target {
  std::string url;
  std::string service;
};

bool read_targets(const std::string& path, std::vector<Target>* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = fmt::format("{}: cannot read the targets file", path);
    return false;
  }
  std::string line;
  for (uint64_t no = 1; std::getline(in, line); ++no) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    Target t;
    if (!(words >> t.url)) continue;
    words >> t.service;
    std::string extra;
    if (words >> extra || !looks_like_url(t.url)) {
      *error = fmt::format("{}:{}: expected `URL [SERVICE]`", path, no);
      return false;
    }
    out->push_back(std::move(t));
  }
  return true;
}

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One target's fetch of a round, done on a worker thread into the target's
// own catalog.
struct Fetch {
  FetchedDump dump;
  double time = 0;
};

}  // namespace

int run_watch(int argc, char** argv) {
  WatchArgs args;
  po::options_description desc = watch_options(&args);
  if (int rc = parse_or_answer(argc, argv, desc, input_positionals(), args.general, print_help);
      rc >= 0)
    return rc;
  std::string error;
  LoadOptions load;
  ReportOptions report;
  const Format* unused_format = nullptr;
  FetchDumpOptions fetch;
  OutputOptions checked = args.output;
  if (checked.format == "jsonl") checked.format = "text";
  if (!make_load_options(args.input, &load, &error) ||
      !make_report_options(checked, FormatUse::kTrend, &report, &unused_format, &error) ||
      !make_fetch_options(args.fetch, &fetch, &error)) {
    print_error(error);
    return kExitUsage;
  }
  const bool jsonl = args.output.format == "jsonl";
  if (args.output.format != "text" && !jsonl) {
    print_error(fmt::format("--format: expected text or jsonl, got '{}'", args.output.format));
    return kExitUsage;
  }
  double every = 0, for_seconds = 0;
  if (!parse_duration(args.every, "--every", &every, &error) ||
      (!args.for_.empty() && !parse_duration(args.for_, "--for", &for_seconds, &error))) {
    print_error(error);
    return kExitUsage;
  }
  if (every <= 0 || (args.samples && *args.samples == 0) || args.max_connections == 0) {
    print_error("--every, --samples and --max-connections must be more than zero");
    return kExitUsage;
  }
  if (args.samples && !args.for_.empty()) {
    print_error("give --for or --samples, not both");
    return kExitUsage;
  }
  std::vector<Target> targets;
  for (const std::string& u : args.input.files) {
    if (!looks_like_url(u)) {
      print_error(fmt::format("{}: watch samples running services: give http(s) URLs", u));
      return kExitUsage;
    }
    targets.push_back(Target{u, ""});
  }
  if (!args.targets_file.empty() && !read_targets(args.targets_file, &targets, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (targets.empty()) {
    print_error("watch needs a URL: gorleak watch http://HOST:PORT (see gorleak watch --help)");
    return kExitUsage;
  }
  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;
  std::unique_ptr<HistoryStore> store;
  if (!args.db.empty()) {
    Diagnostic d;
    store = HistoryStore::open(args.db, /*create=*/true, &d);
    if (!store) {
      print_error(d.format());
      return kExitUsage;
    }
  }

  std::vector<std::unique_ptr<TargetSeries>> series;
  std::vector<FetchDumpOptions> per_target(targets.size(), fetch);
  for (const Target& t : targets) {
    // Named as reports and the history name them: the dump URL, masked.
    PprofEndpoints ep;
    if (!pprof_endpoints(t.url, &ep, &error)) {
      print_error(fmt::format("{}: {}", mask_url(t.url), error));
      return kExitUsage;
    }
    series.push_back(std::make_unique<TargetSeries>(ep.shown, t.service, std::make_shared<Catalog>()));
  }
  std::vector<const TargetSeries*> views;
  for (const auto& s : series) views.push_back(s.get());
  if (targets.size() > 1) load.jobs = 1;  // the targets are the parallelism

  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const bool live_view = !jsonl && isatty(STDOUT_FILENO) == 1;
  const double start = now_seconds();
  const uint64_t rounds = args.samples ? *args.samples
                          : args.for_.empty() ? 0
                                              : static_cast<uint64_t>(std::floor(for_seconds / every)) + 1;
  WatchStatus status;
  status.rounds = rounds;
  uint64_t good = 0;
  for (uint64_t round = 0; rounds == 0 || round < rounds; ++round) {
    // Wait for this round's time; the live view counts down.
    const double due = start + static_cast<double>(round) * every;
    while (!g_stop && now_seconds() < due) {
      if (live_view) {
        status.next_in = due - now_seconds();
        std::string screen = "\033[H\033[2J";
        write_watch_screen(views, status, report, &screen);
        std::fwrite(screen.data(), 1, screen.size(), stdout);
        std::fflush(stdout);
      }
      double left = due - now_seconds();
      std::this_thread::sleep_for(std::chrono::duration<double>(
          std::min(left, live_view ? 1.0 : 0.1)));
    }
    if (g_stop) break;

    std::vector<Fetch> fetched(targets.size());
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i; (i = next++) < targets.size();) {
        fetched[i].time = now_seconds();
        fetched[i].dump = fetch_dump(series[i]->catalog(), targets[i].url, load, per_target[i]);
      }
    };
    std::vector<std::thread> pool;
    size_t threads = std::min<size_t>(args.max_connections, targets.size());
    for (size_t k = 1; k < threads; ++k) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();

    status.round = round + 1;
    status.failures.clear();
    for (size_t i = 0; i < targets.size(); ++i) {
      FetchedDump& f = fetched[i].dump;
      TargetSeries& s = *series[i];
      if (f.failed || !f.load.ok || f.load.snapshots.empty()) {
        std::string why = "no goroutine dump";
        for (const Diagnostic& d : f.load.diagnostics)
          if (d.severity == Severity::kError) {
            why = d.message;
            break;
          }
        std::string line = watch_failure_line(s.url(), fetched[i].time, why);
        status.failures.push_back(line);
        if (jsonl) print_error(fmt::format("{}: {}", s.url(), why));
        else if (!live_view) fmt::print("{}\n", line);
        continue;
      }
      if (f.leak_profile == LeakProfileStatus::kNotServed) per_target[i].leak_profile = false;
      Snapshot snap = std::move(f.load.snapshots.back());
      if (s.size() == 0 && !live_view)  // said once per target
        for (const Diagnostic& d : snap.diagnostics)
          if (d.severity == Severity::kNote) print_note(fmt::format("{}: {}", s.url(), d.message));
      s.add(std::move(snap), fetched[i].time, args.trend);
      s.classify_latest(*engine->rules, engine->options);
      ++good;
      if (store) {
        Diagnostic d;
        if (!store->record(SampleInfo{s.url(), s.service(), fetched[i].time}, s.latest(),
                           s.catalog(), &d)) {
          print_error(d.format());
          return kExitUsage;
        }
      }
      std::string line;
      if (jsonl)
        write_sample_jsonl(s.url(), s.service(), fetched[i].time, s.latest(), s.catalog(),
                           args.output.modules, &line);
      else if (!live_view)
        line = watch_summary_line(s, report) + "\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    std::fflush(stdout);
  }

  if (!jsonl) {
    std::string text;
    if (live_view) {
      status.next_in = 0;
      text = "\033[H\033[2J";
      write_watch_screen(views, status, report, &text);
      text += "\n";
    }
    write_watch_report(views, report, &text);
    if (!write_stdout(text)) return kExitUsage;
  }
  if (good == 0) {
    print_error("no sample could be taken");
    return kExitUsage;
  }
  return targets_exit_code(args.rules, views);
}

}  // namespace gorleak::cli
