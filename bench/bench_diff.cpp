// gorleak-bench-diff: "diffing two 100k-goroutine dumps takes no longer than
// parsing them". Loads BASE and NEW (default: diff-idle.d2.txt and
// diff-loaded.d2.txt from bench/make-inputs.sh's data directory), then times
// the diff stage alone (signatures, matching, statuses, growth info for the
// classifier) and prints both figures and their ratio. Best of 3 runs each.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "diff/diff_findings.h"
#include "diff/snapshot_diff.h"
#include "pipeline/load.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = std::getenv("GORLEAK_BENCH_DATA") ? std::getenv("GORLEAK_BENCH_DATA")
                                                      : "/tmp/gorleak-bench";
  std::string base = argc > 2 ? argv[1] : dir + "/diff-idle.d2.txt";
  std::string now = argc > 2 ? argv[2] : dir + "/diff-loaded.d2.txt";

  double parse_best = 1e300, diff_best = 1e300;
  size_t rows = 0, goroutines = 0;
  for (int run = 0; run < 3; ++run) {
    gorleak::Catalog catalog;
    auto t0 = Clock::now();
    gorleak::LoadResult a = gorleak::load_dump_file(catalog, base);
    gorleak::LoadResult b = gorleak::load_dump_file(catalog, now);
    double parse = seconds_since(t0);
    if (!a.ok || !b.ok || a.snapshots.empty() || b.snapshots.empty()) {
      fmt::print(stderr, "gorleak-bench-diff: cannot load {} and {} (run bench/make-inputs.sh)\n",
                 base, now);
      return 2;
    }
    auto t1 = Clock::now();
    gorleak::SnapshotDiff d = gorleak::diff_snapshots(
        {{base, &a.snapshots.back(), &catalog}, {now, &b.snapshots.back(), &catalog}});
    gorleak::GrowthInfo g = gorleak::growth_info(d, 1);
    double diff = seconds_since(t1);
    parse_best = std::min(parse_best, parse);
    diff_best = std::min(diff_best, diff);
    rows = d.rows.size() + g.previous.size() * 0;
    goroutines = a.snapshots.back().total + b.snapshots.back().total;
  }
  fmt::print("inputs      {} + {}\n", base, now);
  fmt::print("goroutines  {} in both dumps, {} diff rows\n", goroutines, rows);
  fmt::print("parse       {:.3f} s (both dumps)\n", parse_best);
  fmt::print("diff        {:.6f} s\n", diff_best);
  fmt::print("diff/parse  {:.4f}  {}\n", diff_best / parse_best,
             diff_best <= parse_best ? "ok: the diff costs no more than parsing" : "SLOWER than parsing");
  return diff_best <= parse_best ? 0 : 1;
}
