// gorleak-bench: throughput and memory of gorleak on large dumps, next to a
// plain memchr('\n') scan of the same file measured in the same run.
//
//   gorleak-bench [--runs N] [--budget SECONDS] [--cli PATH] [--panicparse PATH]
//                 [--diff-pair BASE NEW] FILE...
//
// For every file it measures
//   - memchr: read(2) in 1 MiB chunks + memchr('\n') line by line, the floor
//     any line-oriented reader pays (and the page-cache warm-up);
//   - library: load_dump_file (read + parse + group) and classify with the
//     built-in rules, one thread, in a fresh `gorleak-bench --child-load FILE`
//     process that reports its time (and whose peak RSS is the library's);
//   - CLI: `gorleak --format json -j 1 FILE`, `cat FILE | gorleak ... -` and
//     `-j 2 FILE` as child processes: wall time and peak RSS (wait4), and
//     whether -j 2 printed exactly what -j 1 printed;
//   - for the inputs of bench/shapes, issue 16's figures (shapes.h): every
//     output format, the rules' cost per group, panicparse on the same file;
// and prints Markdown tables (stdout) that README.md/docs/bench.md paste.
// The parent itself never loads a dump (child.h says why).
// Timing is the best of up to N runs (stopping early when a measurement has
// used its time budget); peak RSS is the largest seen.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "bench.h"
#include "child.h"
#include "library.h"
#include "pipeline/huge_pages.h"
#include "read/mapped_file_source.h"
#include "shapes.h"

namespace gorleak::bench {
namespace {

// ---- memchr baseline ----

ScanResult memchr_scan(const std::string& path) {
  ScanResult r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return r;
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  constexpr size_t kChunk = 1 << 20;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  Timer timer;
  for (;;) {
    ssize_t n = ::read(fd, buf.get(), kChunk);
    if (n < 0) {
      ::close(fd);
      return r;
    }
    if (n == 0) break;
    r.bytes += static_cast<uint64_t>(n);
    const char* p = buf.get();
    const char* end = p + n;
    while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
      ++r.lines;
      p = static_cast<const char*>(nl) + 1;
    }
  }
  r.seconds = timer.seconds();
  ::close(fd);
  r.ok = true;
  return r;
}

// ---- machine ----

std::string read_first(const char* path, std::string_view key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      auto v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "?";
}

std::string machine_line() {
  long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  std::string cpu = read_first("/proc/cpuinfo", "model name");
  std::string mem = read_first("/proc/meminfo", "MemTotal");
  double ram_gib = std::strtod(mem.c_str(), nullptr) / (1024.0 * 1024.0);
  struct utsname u {};
  ::uname(&u);
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  return fmt::format("{} cores (nproc), {}, {:.1f} GiB RAM, Linux {}, {}, load average {:.1f}",
                     cores, cpu, ram_gib, u.release,
#if defined(__clang__)
                     "clang " __clang_version__
#else
                     "gcc " __VERSION__
#endif
                     , load[0]);
}

std::string base_name(const std::string& p) {
  auto s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

int usage() {
  std::fputs(
      "usage: gorleak-bench [--runs N] [--budget SECONDS] [--clock wall|cpu] [--cli PATH]\n"
      "                     [--no-cli] [--no-classify] [--panicparse PATH] [--peer-timeout S]\n"
      "                     [--rule-copies N] [--diff-pair BASE NEW] FILE...\n"
      "       gorleak-bench --child-load FILE [--jobs N] [--no-classify] [--rule-copies N]\n"
      "                     [--map-window BYTES]\n",
      stderr);
  return 2;
}

int run(int argc, char** argv) {
  BenchOptions o;
  std::string child;
  ChildLoadOptions child_options;
  std::string diff_base, diff_now;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--runs") {
      const char* v = value();
      if (!v) return usage();
      o.runs = std::max(1, std::atoi(v));
    } else if (a == "--budget") {
      const char* v = value();
      if (!v) return usage();
      o.budget = std::atof(v);
    } else if (a == "--cli") {
      const char* v = value();
      if (!v) return usage();
      o.cli = v;
    } else if (a == "--clock") {
      const char* v = value();
      if (!v || (std::strcmp(v, "cpu") != 0 && std::strcmp(v, "wall") != 0)) return usage();
      g_cpu_clock = std::strcmp(v, "cpu") == 0;
    } else if (a == "--no-cli") {
      o.no_cli = true;
    } else if (a == "--no-classify") {
      o.no_classify = true;
    } else if (a == "--child-load") {
      const char* v = value();
      if (!v) return usage();
      child = v;
    } else if (a == "--jobs") {
      const char* v = value();
      if (!v) return usage();
      child_options.jobs = static_cast<unsigned>(std::max(1, std::atoi(v)));
    } else if (a == "--rule-copies") {
      const char* v = value();
      if (!v) return usage();
      o.rule_copies = child_options.rule_copies = std::max(0, std::atoi(v));
    } else if (a == "--map-window") {
      const char* v = value();
      if (!v) return usage();
      child_options.map_window_bytes = static_cast<size_t>(std::max(0LL, std::atoll(v)));
    } else if (a == "--panicparse") {
      const char* v = value();
      if (!v) return usage();
      o.panicparse = v;
    } else if (a == "--peer-timeout") {
      const char* v = value();
      if (!v) return usage();
      o.peer_timeout = std::atof(v);
    } else if (a == "--diff-pair") {
      const char* v = value();
      const char* w = value();
      if (!v || !w) return usage();
      diff_base = v;
      diff_now = w;
    } else if (a.starts_with("-") && a != "-") {
      return usage();
    } else {
      o.files.emplace_back(a);
    }
  }
  if (!child.empty()) {
    child_options.classify = !o.no_classify;
    return child_load(child, child_options);
  }
  if (o.files.empty()) return usage();
  const std::string machine = machine_line();  // load average before we add ours

  size_t rule_count = 0;
  bool have_cli = !o.no_cli && ::access(o.cli.c_str(), X_OK) == 0;
  if (!o.no_cli && !have_cli)
    fmt::print(stderr, "gorleak-bench: no CLI at {}: CLI columns are skipped\n", o.cli);
  std::string self = self_path();
  std::vector<std::string> formats;
  if (have_cli) formats = cli_formats(o.cli);

  std::vector<FileReport> reports;
  for (const std::string& path : o.files) {
    FileReport fr;
    fr.path = path;
    fr.name = base_name(path);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      fmt::print(stderr, "gorleak-bench: {}: {}\n", path, std::strerror(errno));
      continue;
    }
    fr.size = static_cast<uint64_t>(st.st_size);
    fmt::print(stderr, "== {} ({})\n", fr.name, human_size(fr.size));

    memchr_scan(path);  // page-cache warm-up, not timed
    fr.scan = best_of(o.runs, o.budget, [&] { return memchr_scan(path); });
    fmt::print(stderr, "   memchr   {:>7.0f} MiB/s  ({} lines)\n",
               mib_s(fr.scan.bytes, fr.scan.seconds), fr.scan.lines);

    ChildLoadOptions lo;
    lo.classify = !o.no_classify;
    ChildLib cl = best_of(o.runs, o.budget, [&] { return library_in_child(self, path, lo); });
    fr.lib = cl.lib;
    fr.lib_rss = cl.proc;
    fr.lib_rss.max_rss_kib = cl.max_rss_kib;
    rule_count = std::max(rule_count, cl.lib.rules);
    if (!fr.lib.ok) {
      fmt::print(stderr, "   library  failed: {}\n", fr.lib.error);
    } else {
      fmt::print(stderr,
                 "   library  {:>7.0f} MiB/s  {:.2f} M goroutines/s  ({} goroutines, {} "
                 "snapshots, {} groups, {} stacks, {} findings)\n",
                 mib_s(fr.size, fr.lib.seconds), fr.lib.goroutines / fr.lib.seconds / 1e6,
                 fr.lib.goroutines, fr.lib.snapshots, fr.lib.groups, fr.lib.stacks,
                 fr.lib.findings);
    }
    fmt::print(stderr, "   library  peak RSS {}\n", rss(fr.lib_rss));
    // The same load through mmap windows instead of pread(): which is
    // faster depends on the machine (docs/bench.md, "Mapped or read").
    lo.map_window_bytes = kDefaultMapWindowBytes;
    ChildLib mapped = best_of(o.runs, o.budget, [&] { return library_in_child(self, path, lo); });
    if (mapped.lib.ok) {
      fr.lib_mapped_seconds = mapped.lib.seconds;
      fmt::print(stderr, "   library  {:>7.0f} MiB/s through mmap windows, peak RSS {}\n",
                 mib_s(fr.size, mapped.lib.seconds), rss(mapped.proc));
    }
    if (have_cli) {
      // One run of the CLI's JSON report with `jobs`, from the file or stdin.
      auto cli = [&](const char* jobs, bool from_stdin) -> std::function<ChildResult()> {
        std::vector<std::string> args = {o.cli, "--format", "json", "-j", jobs,
                                         from_stdin ? "-" : path};
        std::optional<std::string> cat_file;
        if (from_stdin) cat_file = path;
        // -j 2 on wall time: its CPU time is spread over threads.
        bool wall = std::string_view(jobs) != "1";
        return [args, cat_file, wall] { return run_child(args, cat_file, wall); };
      };
      auto show = [&](const char* what, const ChildResult& r) {
        if (cli_ok(r))
          fmt::print(stderr, "   {:<8} {:>7.0f} MiB/s  peak RSS {}\n", what,
                     mib_s(fr.size, r.seconds), rss(r));
        else
          fmt::print(stderr, "   {:<8} failed (exit {}): {}\n", what, r.exit_code, r.err_head);
      };
      // In rounds, for the rows that compare them: -j 1 and -j 2, a file
      // and stdin.
      std::vector<ChildResult> runs = best_of_rounds(
          o.runs, o.budget,
          std::vector{cli("1", false), cli("1", true), cli("2", false), cli("2", true)});
      fr.cli = runs[0];
      fr.cli_stdin = runs[1];
      fr.cli_j2 = runs[2];
      fr.cli_stdin_j2 = runs[3];
      show("CLI -j1", fr.cli);
      show("stdin", fr.cli_stdin);
      show("CLI -j2", fr.cli_j2);
      show("stdin -j2", fr.cli_stdin_j2);
      if (is_shape_input(fr.name) && fr.lib.ok) measure_shape(o, self, formats, fr);
    }
    reports.push_back(std::move(fr));
  }
  DiffTrendReport diff_trend;
  bool have_diff_trend = have_cli && !diff_base.empty() &&
                         measure_diff_trend(o, diff_base, diff_now, diff_trend);
  uint64_t base_rss_kib = have_cli ? measure_base_rss(o) : 0;

  // ---- Markdown ----
  fmt::print("Machine: {}\n\n", machine);
  fmt::print("Command: `bench/run.sh` (gorleak-bench{}, best of {} runs, page cache warm, {} "
             "time){}\n\n",
             o.no_classify ? " --no-classify" : "", o.runs,
             g_cpu_clock ? "CPU (user+sys; -j 2: wall)" : "wall-clock",
             rule_count ? fmt::format(", {} built-in rules", rule_count) : ", no rules");
  fmt::print(
      "| input | form | size | goroutines | stacks | memchr MiB/s | library MiB/s | "
      "goroutines/s | library ÷ memchr | CLI MiB/s | CLI ÷ memchr | stdin MiB/s | -j 2 MiB/s "
      "| stdin -j 2 MiB/s | -j 2 = -j 1 |\n");
  fmt::print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
  for (const FileReport& r : reports) {
    double scan = mib_s(r.scan.bytes, r.scan.seconds);
    double lib = r.lib.ok ? mib_s(r.size, r.lib.seconds) : 0;
    double cli = cli_ok(r.cli) ? mib_s(r.size, r.cli.seconds) : 0;
    auto num = [](double v) { return v > 0 ? fmt::format("{:.0f}", v) : std::string("–"); };
    auto pct = [](double a, double b) {
      return a > 0 && b > 0 ? fmt::format("{:.0f}%", 100 * a / b) : std::string("–");
    };
    std::string same = "–";
    if (cli_ok(r.cli) && cli_ok(r.cli_j2))
      same = r.cli.out_hash == r.cli_j2.out_hash && r.cli.out_bytes == r.cli_j2.out_bytes
                 ? "yes"
                 : "**no**";
    fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
               r.name, r.lib.form.empty() ? "?" : r.lib.form, human_size(r.size),
               r.lib.ok ? fmt::format("{}", r.lib.goroutines) : "–",
               r.lib.ok ? fmt::format("{}", r.lib.stacks) : "–", num(scan), num(lib),
               r.lib.ok ? fmt::format("{:.2f} M", r.lib.goroutines / r.lib.seconds / 1e6) : "–",
               pct(lib, scan), num(cli), pct(cli, scan),
               num(cli_ok(r.cli_stdin) ? mib_s(r.size, r.cli_stdin.seconds) : 0),
               num(cli_ok(r.cli_j2) ? mib_s(r.size, r.cli_j2.seconds) : 0),
               num(cli_ok(r.cli_stdin_j2) ? mib_s(r.size, r.cli_stdin_j2.seconds) : 0), same);
  }
  fmt::print("\n| input | size | stacks | CLI peak RSS | stdin peak RSS | -j 2 peak RSS | "
             "library-only peak RSS |\n");
  fmt::print("|---|---:|---:|---:|---:|---:|---:|\n");
  for (const FileReport& r : reports) {
    fmt::print("| {} | {} | {} | {} | {} | {} | {} |\n", r.name, human_size(r.size),
               r.lib.ok ? fmt::format("{}", r.lib.stacks) : "–", rss(r.cli), rss(r.cli_stdin),
               rss(r.cli_j2), rss(r.lib_rss));
  }

  // ---- the targets of issue 5 ----
  fmt::print("\nTargets (issue 5):\n");
  auto verdict = [](bool ok) { return ok ? "PASS" : "FAIL"; };
  double best_d2_rate = 0;
  for (const FileReport& r : reports) {
    if (r.lib.form != "debug2" || r.size < (1ULL << 30) || !cli_ok(r.cli)) continue;
    double cli = mib_s(r.size, r.cli.seconds);
    double scan = mib_s(r.scan.bytes, r.scan.seconds);
    best_d2_rate = std::max(best_d2_rate, cli);
    fmt::print("- {} {}: CLI -j 1 {:.0f} MiB/s ≥ 1024 MiB/s: {}; {:.0f}% of memchr ≥ 25%: {}\n",
               r.name, human_size(r.size), cli, verdict(cli >= 1024), 100 * cli / scan,
               verdict(cli >= 0.25 * scan));
  }
  for (const FileReport& r : reports) {
    if (!r.lib.ok || r.lib_mapped_seconds <= 0) continue;
    fmt::print("- {}: library {:.0f} MiB/s reading with pread(), {:.0f} MiB/s through mmap "
               "windows (information: the default is pread())\n",
               r.name, mib_s(r.size, r.lib.seconds), mib_s(r.size, r.lib_mapped_seconds));
  }
  for (const FileReport& r : reports) {
    if (!cli_ok(r.cli) || !cli_ok(r.cli_stdin)) continue;
    double f = mib_s(r.size, r.cli.seconds), s = mib_s(r.size, r.cli_stdin.seconds);
    fmt::print("- {}: stdin {:.0f} MiB/s within 20% of file {:.0f} MiB/s: {}\n", r.name, s, f,
               verdict(s >= 0.8 * f));
    if (cli_ok(r.cli_j2) && cli_ok(r.cli_stdin_j2)) {
      double fj = mib_s(r.size, r.cli_j2.seconds), sj = mib_s(r.size, r.cli_stdin_j2.seconds);
      // Not a target (that is one core): on a 2-core machine `cat` takes
      // time on the cores that `-j 2` on a file has to itself.
      fmt::print("- {}: -j 2 stdin {:.0f} MiB/s, {:.0f}% of -j 2 file {:.0f} MiB/s (information: "
                 "`cat` shares the cores)\n",
                 r.name, sj, 100 * sj / fj, fj);
    }
  }
  for (const FileReport& r : reports) {
    if (r.lib.form != "debug1" || !cli_ok(r.cli) || best_d2_rate == 0) continue;
    double f = mib_s(r.size, r.cli.seconds);
    fmt::print("- {}: debug=1 {:.0f} MiB/s within 20% of the debug=2 rate {:.0f} MiB/s: {}\n",
               r.name, f, best_d2_rate, verdict(f >= 0.8 * best_d2_rate));
  }
  uint64_t rss_min = UINT64_MAX, rss_max = 0;
  int rss_n = 0;
  for (const FileReport& r : reports) {
    // "≤ 10k distinct stacks": the generator's 10 000 shapes plus its IO and
    // main stacks come to 10 017.
    if (r.lib.form != "debug2" || r.lib.snapshots != 1 || r.lib.stacks > 10500 ||
        !cli_ok(r.cli) || is_shape_input(r.name))
      continue;
    rss_min = std::min(rss_min, r.cli.max_rss_kib);
    rss_max = std::max(rss_max, r.cli.max_rss_kib);
    ++rss_n;
    if (r.size >= (1ULL << 30))
      fmt::print("- {}: peak RSS {:.0f} MiB ≤ 100 MiB: {}\n", r.name, r.cli.max_rss_kib / 1024.0,
                 verdict(r.cli.max_rss_kib <= 100 * 1024));
  }
  if (rss_n >= 2)
    fmt::print("- peak RSS across {} debug=2 inputs (one dump, ≤10.5k stacks): {:.0f}–{:.0f} MiB\n", rss_n,
               rss_min / 1024.0, rss_max / 1024.0);
  for (const FileReport& r : reports) {
    if (!cli_ok(r.cli) || !cli_ok(r.cli_j2) || r.size < (256ULL << 20)) continue;
    fmt::print("- {}: -j 2 speed-up ×{:.2f}, output identical to -j 1: {}\n", r.name,
               r.cli.wall_seconds / r.cli_j2.wall_seconds,
               r.cli.out_hash == r.cli_j2.out_hash ? "yes" : "NO");
  }
  print_shape_tables(o, reports, formats, base_rss_kib, have_diff_trend ? &diff_trend : nullptr);
  return 0;
}

}  // namespace
}  // namespace gorleak::bench

// The same heap as the CLI's, so that --child-load measures the library as
// `gorleak` runs it.
int main(int argc, char** argv) {
  gorleak::use_huge_pages(argv);
  return gorleak::bench::run(argc, argv);
}
