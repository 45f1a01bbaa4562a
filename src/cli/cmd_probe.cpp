// `gorleak probe URL --load 'COMMAND' [--settle 30s] [--at 50%] [--out DIR]`:
// the idle → loaded → after diff of a running service in one command.
// Captures the idle dump, runs the load command (any shell command: a load
// generator, a test suite), captures the loaded dump while it runs, waits
// for the service to settle after it ends, captures the after dump, and
// prints the three-way diff: groups that grew under load and stayed are
// leaks, those that drained were load (cli/compare.h, the diff's report).
//
// --at says when the loaded dump is taken:
//   end       when the command has exited;
//   DURATION  that long after it started (or at its end, if sooner);
//   N%        at N% of its run time (default 50%). The run time is known
//             only at the end, so the probe captures as the command runs,
//             at times growing by a quarter each (never closer than the
//             last fetch took), keeps only the captures that can still be
//             the nearest, and at the end uses the nearest: within about
//             12% of the target time, with a handful of fetches.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compare.h"
#include "cli/fetch_options.h"
#include "cli/options.h"
#include "fetch/fetch_dump.h"
#include "watch/target_series.h"

namespace gorleak::cli {

namespace {

struct ProbeArgs {
  GeneralOptions general;
  InputOptions input;
  CompareArgs compare;
  FetchArgs fetch;
  std::string load;
  std::string settle = "30s";
  std::string at = "50%";
  std::string out;
};

po::options_description probe_options(ProbeArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  desc.add_options()
      ("load", po::value<std::string>(&a->load)->value_name("COMMAND"),
       "the load: a shell command run with /bin/sh -c (its output goes to stderr)")
      ("settle", po::value<std::string>(&a->settle)->value_name("DURATION")->default_value("30s"),
       "after the load ends, wait this long before the after dump")
      ("at", po::value<std::string>(&a->at)->value_name("N%|DURATION|end")->default_value("50%"),
       "when to take the loaded dump: at N% of the load's run time, DURATION after it "
       "started, or when it ends")
      ("out", po::value<std::string>(&a->out)->value_name("DIR"),
       "keep the three dumps in DIR, gzipped, named by phase and time "
       "(replay: gorleak diff DIR/idle-* DIR/loaded-* DIR/after-*)");
  add_compare_options(desc, &a->compare);
  add_fetch_options(desc, &a->fetch);
  return desc;
}

void print_help(const po::options_description& desc) {
  std::ostringstream ss;
  ss << desc;
  fmt::print(
      "gorleak probe: idle → loaded → after diff of a running service\n"
      "\n"
      "Usage:\n"
      "  gorleak probe URL --load 'COMMAND' [--settle 30s] [--at 50%] [--out DIR]\n"
      "\n"
      "Takes the idle dump, runs COMMAND, takes the loaded dump while it runs, waits\n"
      "--settle after it ends, takes the after dump, and prints the diff of the three:\n"
      "groups that grew under load and stayed are leaks, those that drained were load.\n"
      "See docs/live.md.\n"
      "\n"
      "{}\n"
      "Examples:\n"
      "  gorleak probe http://localhost:6060 --load 'hey -z 30s http://localhost:8080/'\n"
      "  gorleak probe http://localhost:6060 --load 'go test ./e2e/...' --at end --settle 1m\n"
      "  gorleak probe http://localhost:6060 --load './bench.sh' --out probe-run\n",
      ss.str());
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted = true; }

// When the loaded dump is taken.
struct AtSpec {
  enum Kind { kEnd, kAfter, kFraction } kind = kFraction;
  double value = 0.5;  // seconds (kAfter) or fraction (kFraction)
};

bool parse_at(const std::string& text, AtSpec* out, std::string* error) {
  if (text == "end") {
    out->kind = AtSpec::kEnd;
    return true;
  }
  if (!text.empty() && text.back() == '%') {
    double pct = 0;
    std::string number = text.substr(0, text.size() - 1);
    bool ok = !number.empty() && number.find_first_not_of("0123456789.") == std::string::npos;
    if (ok) pct = std::stod(number);
    if (!ok || pct <= 0 || pct > 100) {
      *error = fmt::format("--at: expected a percentage in (0, 100], got '{}'", text);
      return false;
    }
    out->kind = AtSpec::kFraction;
    out->value = pct / 100;
    return true;
  }
  out->kind = AtSpec::kAfter;
  return parse_duration(text, "--at", &out->value, error);
}

// One dump of the service, in a catalog of its own.
struct Capture {
  std::unique_ptr<Catalog> catalog = std::make_unique<Catalog>();
  Snapshot snapshot;
  double at = 0;          // seconds since the load started (idle: < 0)
  std::string name;       // for the report
  std::string saved;      // --out file, "" when none
};

class Prober {
 public:
  Prober(std::string url, FetchDumpOptions fetch, std::string out_dir)
      : url_(std::move(url)), fetch_(std::move(fetch)), out_(std::move(out_dir)) {}

  // Fetches one dump; false with the error printed.
  bool capture(const std::string& phase, double at, Capture* c) {
    double wall = wall_seconds();
    std::string stamp = utc_time(wall);
    c->at = at;
    FetchDumpOptions opts = fetch_;
    if (!out_.empty()) {
      // 20261129T100005.123Z: candidates of one second must not share a name.
      std::string compact = stamp.substr(0, stamp.size() - 1);
      std::erase(compact, ':');
      std::erase(compact, '-');
      int ms = static_cast<int>((wall - std::floor(wall)) * 1000);
      c->saved = (std::filesystem::path(out_) /
                  fmt::format("{}-{}.{:03}Z.txt.gz", phase, compact, ms)).string();
      opts.save_path = c->saved;
      opts.save_gzip = true;
    }
    c->name = c->saved.empty() ? fmt::format("{}@{}", phase, stamp) : c->saved;
    double start = now_seconds();
    FetchedDump f = fetch_dump(*c->catalog, url_, LoadOptions{}, opts);
    last_fetch_seconds_ = now_seconds() - start;
    if (f.failed || !f.load.ok || f.load.snapshots.empty()) {
      for (const Diagnostic& d : f.load.diagnostics)
        if (d.severity == Severity::kError) {
          print_error(d.format());
          return false;
        }
      print_error(fmt::format("{}: no goroutine dump", f.shown));
      return false;
    }
    if (f.leak_profile == LeakProfileStatus::kNotServed) fetch_.leak_profile = false;  // say it once
    c->snapshot = std::move(f.load.snapshots.back());
    c->snapshot.source = c->name;
    return true;
  }

  void discard(Capture& c) {
    if (!c.saved.empty()) {
      std::error_code ec;
      std::filesystem::remove(c.saved, ec);
    }
  }

  double last_fetch_seconds() const { return last_fetch_seconds_; }

 private:
  std::string url_;
  FetchDumpOptions fetch_;
  std::string out_;
  double last_fetch_seconds_ = 0;
};

// The load command in its own process group, its stdout on our stderr.
pid_t start_load(const std::string& command) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    dup2(STDERR_FILENO, STDOUT_FILENO);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid > 0) setpgid(pid, pid);
  return pid;
}

// The exit status when it has exited, -1 while it runs.
int poll_load(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, WNOHANG) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void sleep_until(double when) {
  while (!g_interrupted && now_seconds() < when)
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(0.05, when - now_seconds())));
}

}  // namespace

int run_probe(int argc, char** argv) {
  ProbeArgs args;
  po::options_description desc = probe_options(&args);
  if (int rc = parse_or_answer(argc, argv, desc, input_positionals(), args.general, print_help);
      rc >= 0)
    return rc;
  std::string error;
  ReportOptions report;
  FetchDumpOptions fetch;
  AtSpec at;
  double settle = 0;
  const Format* format = nullptr;
  if (!make_compare_options(args.compare, &report, &format, &error) ||
      !make_fetch_options(args.fetch, &fetch, &error) || !parse_at(args.at, &at, &error) ||
      !parse_duration(args.settle, "--settle", &settle, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.input.files.size() != 1 || !looks_like_url(args.input.files[0])) {
    print_error("probe needs one URL: gorleak probe http://HOST:PORT --load 'COMMAND'");
    return kExitUsage;
  }
  if (args.load.empty()) {
    print_error("probe needs --load 'COMMAND': the load to run against the service");
    return kExitUsage;
  }
  if (!args.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args.out, ec);
    if (ec) {
      print_error(fmt::format("{}: cannot create the directory: {}", args.out, ec.message()));
      return kExitUsage;
    }
  }
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  Prober probe(args.input.files[0], fetch, args.out);
  Capture idle;
  if (!probe.capture("idle", -1, &idle)) return kExitUsage;
  fmt::print(stderr, "probe: idle: {} goroutines\n", idle.snapshot.total);

  fmt::print(stderr, "probe: running the load: {}\n", args.load);
  const double start = now_seconds();
  pid_t pid = start_load(args.load);
  if (pid < 0) {
    print_error("cannot start the load command (fork failed)");
    return kExitUsage;
  }
  // Captures that can still be the loaded dump; see the header comment.
  std::vector<std::unique_ptr<Capture>> kept;
  int status = -1;
  double next = at.kind == AtSpec::kAfter ? at.value : 0.25;
  bool failed = false;
  while (!g_interrupted && (status = poll_load(pid)) < 0) {
    double t = now_seconds() - start;
    bool due = at.kind == AtSpec::kFraction ? t >= next
               : at.kind == AtSpec::kAfter  ? kept.empty() && t >= at.value
                                            : false;
    if (!due) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    auto c = std::make_unique<Capture>();
    if (!probe.capture("loaded", t, c.get())) {
      failed = true;
      break;
    }
    kept.push_back(std::move(c));
    t = now_seconds() - start;
    next = std::max(t * 1.25, t + std::max(0.2, probe.last_fetch_seconds()));
    if (at.kind == AtSpec::kFraction) {
      // Anything before the latest capture at or before fraction × t is
      // farther from every possible target than that one.
      double floor_t = at.value * t;
      size_t first = 0;
      for (size_t i = 0; i < kept.size(); ++i)
        if (kept[i]->at <= floor_t) first = i;
      for (size_t i = 0; i < first; ++i) probe.discard(*kept[i]);
      kept.erase(kept.begin(), kept.begin() + static_cast<long>(first));
    }
  }
  if (g_interrupted || failed) {
    kill(-pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    for (auto& c : kept) probe.discard(*c);
    if (g_interrupted) print_error("interrupted: the load command was stopped, no report");
    return kExitUsage;
  }
  const double ran = now_seconds() - start;
  fmt::print(stderr, "probe: the load ended after {:.1f} s{}\n", ran,
             status == 0 ? "" : fmt::format(" with exit status {}", status));
  Capture loaded;
  if (at.kind == AtSpec::kEnd || kept.empty()) {
    if (at.kind != AtSpec::kEnd)
      print_note("the load ended before the loaded dump was due: taking it now");
    if (!probe.capture("loaded", ran, &loaded)) return kExitUsage;
  } else {
    double target = at.kind == AtSpec::kFraction ? at.value * ran : at.value;
    size_t best = 0;
    for (size_t i = 1; i < kept.size(); ++i)
      if (std::fabs(kept[i]->at - target) < std::fabs(kept[best]->at - target)) best = i;
    for (size_t i = 0; i < kept.size(); ++i)
      if (i != best) probe.discard(*kept[i]);
    loaded = std::move(*kept[best]);
  }
  fmt::print(stderr, "probe: loaded: {} goroutines, {:.1f} s into the {:.1f} s load\n",
             loaded.snapshot.total, loaded.at, ran);
  if (settle > 0) fmt::print(stderr, "probe: settling for {}\n", args.settle);
  sleep_until(now_seconds() + settle);
  if (g_interrupted) {
    print_error("interrupted while settling: no report");
    return kExitUsage;
  }
  Capture after;
  if (!probe.capture("after", ran + settle, &after)) return kExitUsage;
  fmt::print(stderr, "probe: after: {} goroutines\n", after.snapshot.total);

  std::vector<DiffDump> dumps{DiffDump{idle.name, &idle.snapshot, idle.catalog.get()},
                              DiffDump{loaded.name, &loaded.snapshot, loaded.catalog.get()},
                              DiffDump{after.name, &after.snapshot, after.catalog.get()}};
  return write_comparison(std::move(dumps), nullptr, args.compare, report, *format);
}

}  // namespace gorleak::cli
