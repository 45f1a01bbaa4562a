// Measuring programs as child processes, for gorleak-bench: wall or CPU
// time, peak RSS from wait4, and a hash of what they print (to compare two
// runs' output without keeping it). The parent never loads a dump itself: on
// Linux a child's ru_maxrss starts from the RSS of the process that spawned
// it, which would otherwise leak into every figure.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gorleak::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// --clock cpu: single-threaded figures use CPU time (user + sys) instead of
// wall time, for machines that are busy with other work. -j 2 stays on wall
// time (its point is elapsed time).
extern bool g_cpu_clock;

// Times one in-process measurement with the chosen clock.
class Timer {
 public:
  Timer();
  double seconds() const;

 private:
  Clock::time_point wall_;
  double cpu_;
};

struct ChildResult {
  bool ran = false;
  bool timed_out = false;
  int exit_code = -1;
  double seconds = 0;       // by the chosen clock
  double wall_seconds = 0;  // always wall-clock
  uint64_t max_rss_kib = 0;
  uint64_t out_bytes = 0;
  std::string out_head;  // first 4 KiB of stdout
  uint64_t out_hash = 0;
  std::string err_head;  // first stderr line, for failures
};

// Runs `args` (args[0] a path, or a name looked up in PATH) with stdin from
// `cat cat_file` when given, else /dev/null; stdout is read and hashed here,
// stderr goes to a temporary file. `wall_clock`: time by the wall clock even
// under --clock cpu. `timeout_s` > 0: killed after that long (timed_out).
ChildResult run_child(std::vector<std::string> args, std::optional<std::string> cat_file,
                      bool wall_clock = false, double timeout_s = 0);

// gorleak exits 0 (no findings at --fail-on) or 1 (findings); 2+ is a failure.
inline bool cli_ok(const ChildResult& r) {
  return r.ran && !r.timed_out && (r.exit_code == 0 || r.exit_code == 1);
}

// Keeps the better of two runs in *best: the shorter time and, for child
// processes, the larger peak RSS of the two.
template <typename R>
void keep_best(R* best, R again) {
  if constexpr (requires { again.max_rss_kib; }) {
    uint64_t rss = std::max(best->max_rss_kib, again.max_rss_kib);
    if (again.seconds < best->seconds) *best = std::move(again);
    best->max_rss_kib = rss;
  } else {
    if (again.seconds < best->seconds) *best = std::move(again);
  }
}

// Best time, largest RSS; repeats stop once `budget` seconds have been spent.
template <typename F>
auto best_of(int runs, double budget, F&& f) {
  auto best = f();
  double spent = best.seconds;
  for (int i = 1; i < runs && spent < budget; ++i) {
    auto again = f();
    spent += again.seconds;
    keep_best(&best, std::move(again));
  }
  return best;
}

// best_of() of several ways to do one job, run in rounds (a, b, c, a, b,
// c…), for rows that compare them: this VM's speed drifts by up to 2x over
// minutes, so all runs of one followed by all runs of the next compared
// moments rather than ways. Repeats stop once each way had `budget`
// seconds on average.
template <typename F>
auto best_of_rounds(int runs, double budget, const std::vector<F>& ways) {
  std::vector<decltype(ways[0]())> best;
  double spent = 0;
  for (const F& way : ways) {
    best.push_back(way());
    spent += best.back().seconds;
  }
  for (int i = 1; i < runs && spent < budget * static_cast<double>(ways.size()); ++i)
    for (size_t k = 0; k < ways.size(); ++k) {
      auto again = ways[k]();
      spent += again.seconds;
      keep_best(&best[k], std::move(again));
    }
  return best;
}

constexpr double kMiB = 1024.0 * 1024.0;

inline double mib_s(uint64_t bytes, double s) { return s > 0 ? bytes / kMiB / s : 0; }
std::string human_size(uint64_t bytes);  // "256 MiB", "1.00 GiB"
std::string rss(const ChildResult& r);     // "26 MiB", "–" when the run failed
std::string self_path();                   // /proc/self/exe

}  // namespace gorleak::bench
