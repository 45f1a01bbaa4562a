#include "shapes.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace gorleak::bench {
namespace {

// The bar of issue 16: gostackparse (pinned commit c0cd6aa, parse only) read
// the 204 MiB, 200k-goroutine, 50k-stack dump in 1.93 s on this
// machine. Three times its rate is the target for the distinct-stack input.
constexpr double kGostackparseMiBs = 204.0 / 1.93;
constexpr double kGostackparseGoroutinesS = 200000.0 / 1.93;

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

const char* verdict(bool ok) { return ok ? "PASS" : "FAIL"; }

std::string num(double v) { return v > 0 ? fmt::format("{:.0f}", v) : std::string("–"); }

std::string rate(const FileReport& r, const ChildResult& c) {
  return cli_ok(c) ? num(mib_s(r.size, c.seconds)) : std::string("–");
}

std::string bytes_text(uint64_t b) {
  if (b >= (1u << 20)) return fmt::format("{:.1f} MB", b / 1e6);
  return fmt::format("{:.0f} KB", b / 1e3);
}

double us_per_group(const ChildLib& c) {
  return c.lib.ok && c.lib.groups > 0 ? c.lib.classify_seconds * 1e6 / c.lib.groups : -1;
}

ChildResult gorleak_run(const BenchOptions& o, const FileReport& fr,
                        std::vector<std::string> extra) {
  std::vector<std::string> args = {o.cli};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(fr.path);
  return best_of(o.runs, o.budget, [&] { return run_child(args, std::nullopt); });
}

}  // namespace

bool is_shape_input(const std::string& name) {
  for (const char* p : {"distinct-", "onestack-", "short-", "crashloop-", "crashes-"})
    if (starts_with(name, p)) return true;
  return false;
}

std::vector<std::string> cli_formats(const std::string& cli) {
  ChildResult help = run_child({cli, "--help"}, std::nullopt);
  std::vector<std::string> out;
  auto at = help.out_head.find("--format ");
  if (at == std::string::npos) return {"text", "json"};
  at += std::strlen("--format ");
  auto end = help.out_head.find_first_of(" \n", at);
  std::string list = help.out_head.substr(at, end - at);
  for (size_t p = 0; p <= list.size();) {
    size_t bar = std::min(list.find('|', p), list.size());
    if (bar > p) out.push_back(list.substr(p, bar - p));
    p = bar + 1;
  }
  return out;
}

void measure_shape(const BenchOptions& o, const std::string& self,
                   const std::vector<std::string>& formats, FileReport& fr) {
  ShapeReport& s = fr.shape;
  s.measured = true;
  for (const std::string& f : formats) {
    if (f == "json") continue;
    ChildResult r = gorleak_run(o, fr, {"--format", f, "-j", "1"});
    fmt::print(stderr, "   {:<8} {:>7} MiB/s  peak RSS {}  ({})\n", f, rate(fr, r), rss(r),
               cli_ok(r) ? bytes_text(r.out_bytes) : r.err_head);
    s.formats.emplace_back(f, r);
  }
  s.text_no_builtin = gorleak_run(o, fr, {"--format", "text", "--no-builtin", "-j", "1"});
  fmt::print(stderr, "   text --no-builtin {:>7} MiB/s\n", rate(fr, s.text_no_builtin));

  // The rules' time per group: best of the classify times alone.
  auto classify_only = [&](int copies) {
    ChildLoadOptions lo;
    lo.rule_copies = copies;
    return best_of(o.runs, o.budget, [&] {
      ChildLib c = library_in_child(self, fr.path, lo);
      c.seconds = c.lib.ok ? c.lib.classify_seconds : 1e9;
      return c;
    });
  };
  s.rules = classify_only(0);
  s.rules_copies = classify_only(o.rule_copies);
  fmt::print(stderr, "   rules    {:.2f} µs/group ({} rules), {:.2f} µs/group ({} rules)\n",
             us_per_group(s.rules), s.rules.lib.rules, us_per_group(s.rules_copies),
             s.rules_copies.lib.rules);

  if (!o.panicparse.empty()) {
    // One run: panicparse is slow enough that repeats would dominate the bench.
    s.panicparse = run_child({o.panicparse, fr.path}, std::nullopt, false, o.peer_timeout);
    double secs = 0, parse = 0, aggregate = 0;
    unsigned long long g = 0, b = 0, snaps = 0;
    if (cli_ok(s.panicparse) &&
        std::sscanf(s.panicparse.out_head.c_str(), "%lf %llu %llu %llu %lf %lf", &secs, &g, &b,
                    &snaps, &parse, &aggregate) == 6) {
      s.panicparse_goroutines = g;
      s.panicparse_buckets = b;
      fmt::print(stderr, "   panicparse {:>5} MiB/s  peak RSS {}  ({} goroutines, {} buckets)\n",
                 rate(fr, s.panicparse), rss(s.panicparse), g, b);
    } else if (s.panicparse.timed_out) {
      fmt::print(stderr, "   panicparse stopped after {:.0f} s\n", o.peer_timeout);
    } else {
      fmt::print(stderr, "   panicparse failed (exit {}): {}\n", s.panicparse.exit_code,
                 s.panicparse.err_head);
    }
  }
}

uint64_t measure_base_rss(const BenchOptions& o) {
  char path[] = "/tmp/gorleak-bench-one-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return 0;
  static const char kDump[] =
      "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d\n";
  bool ok = ::write(fd, kDump, sizeof kDump - 1) == static_cast<ssize_t>(sizeof kDump - 1);
  ::close(fd);
  uint64_t kib = 0;
  if (ok) {
    ChildResult r = best_of(3, 10, [&] {
      return run_child({o.cli, "--format", "json", "-j", "1", path}, std::nullopt);
    });
    if (cli_ok(r)) kib = r.max_rss_kib;
  }
  ::unlink(path);
  return kib;
}

bool measure_diff_trend(const BenchOptions& o, const std::string& base, const std::string& now,
                        DiffTrendReport& out) {
  if (::access(base.c_str(), R_OK) != 0 || ::access(now.c_str(), R_OK) != 0) return false;
  auto name = [](const std::string& p) { return p.substr(p.find_last_of('/') + 1); };
  out.base = name(base);
  out.now = name(now);
  std::ifstream a(base, std::ios::ate), b(now, std::ios::ate);
  out.bytes = static_cast<uint64_t>(a.tellg()) + static_cast<uint64_t>(b.tellg());
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), o.cli);
    return best_of(o.runs, o.budget, [&] { return run_child(args, std::nullopt); });
  };
  fmt::print(stderr, "== diff and trend: {} → {}\n", out.base, out.now);
  out.analyze_base = run({"--format", "json", "-j", "1", base});
  out.analyze_now = run({"--format", "json", "-j", "1", now});
  out.diff = run({"diff", "--format", "json", "-j", "1", base, now});
  out.trend = run({"trend", "--format", "json", "-j", "1", base, now});
  fmt::print(stderr, "   analyze {:.2f} s + {:.2f} s, diff {:.2f} s, trend {:.2f} s\n",
             out.analyze_base.seconds, out.analyze_now.seconds, out.diff.seconds,
             out.trend.seconds);
  return true;
}

void print_shape_tables(const BenchOptions& o, const std::vector<FileReport>& reports,
                        const std::vector<std::string>& formats, uint64_t base_rss_kib,
                        const DiffTrendReport* dt) {
  std::vector<const FileReport*> shapes;
  for (const FileReport& r : reports)
    if (r.shape.measured && r.lib.ok) shapes.push_back(&r);

  if (!shapes.empty()) {
    fmt::print("\nShapes of issue 16 (bench/shapes; `--format json`, wall-clock):\n\n");
    fmt::print(
        "| input | size | goroutines | distinct stacks | frame-lines | snapshots | memchr MiB/s "
        "| -j 1 MiB/s | goroutines/s | stacks/s | ÷ memchr | -j 2 MiB/s | ÷ memchr | peak RSS "
        "-j 1 / -j 2 | panicparse MiB/s | panicparse peak RSS |\n");
    fmt::print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const FileReport* r : shapes) {
      double scan = mib_s(r->scan.bytes, r->scan.seconds);
      double j1 = cli_ok(r->cli) ? mib_s(r->size, r->cli.seconds) : 0;
      double j2 = cli_ok(r->cli_j2) ? mib_s(r->size, r->cli_j2.seconds) : 0;
      auto per_s = [&](uint64_t n) {
        return j1 > 0 ? fmt::format("{:.0f} k", n / r->cli.seconds / 1e3) : std::string("–");
      };
      auto pct = [&](double v) {
        return v > 0 && scan > 0 ? fmt::format("{:.2f}", v / scan) : std::string("–");
      };
      std::string pp = "–", pp_rss = "–";
      const ChildResult& p = r->shape.panicparse;
      if (p.timed_out) {
        pp = fmt::format("< {:.1f} (stopped at {:.0f} s)", r->size / kMiB / o.peer_timeout,
                         o.peer_timeout);
      } else if (cli_ok(p)) {
        pp = fmt::format("{:.1f}", mib_s(r->size, p.wall_seconds));
        pp_rss = rss(p);
      }
      fmt::print("| {} | {} | {} | {} | {} | {} | {:.0f} | {} | {} | {} | {} | {} | {} | {} / {} | "
                 "{} | {} |\n",
                 r->name, human_size(r->size), r->lib.goroutines, r->lib.stacks,
                 r->lib.frame_lines, r->lib.snapshots, scan, num(j1),
                 per_s(r->lib.goroutines), per_s(r->lib.stacks), pct(j1), num(j2), pct(j2),
                 rss(r->cli), rss(r->cli_j2), pp, pp_rss);
    }

    fmt::print("\nOutput formats and rules, `-j 1` (MiB/s; report size in parentheses):\n\n");
    fmt::print("| input | json |");
    for (const std::string& f : formats)
      if (f != "json") fmt::print(" {} |", f);
    fmt::print(" text --no-builtin | rules µs/group ({} rules) | rules µs/group ({} rules) |\n",
               shapes[0]->shape.rules.lib.rules, shapes[0]->shape.rules_copies.lib.rules);
    fmt::print("|---|---:|");
    for (const std::string& f : formats)
      if (f != "json") fmt::print("---:|");
    fmt::print("---:|---:|---:|\n");
    for (const FileReport* r : shapes) {
      auto cell = [&](const ChildResult& c) {
        return cli_ok(c) ? fmt::format("{} ({})", rate(*r, c), bytes_text(c.out_bytes))
                         : std::string("–");
      };
      fmt::print("| {} | {} |", r->name, cell(r->cli));
      for (const auto& [f, c] : r->shape.formats) fmt::print(" {} |", cell(c));
      fmt::print(" {} | {:.2f} | {:.2f} |\n", rate(*r, r->shape.text_no_builtin),
                 us_per_group(r->shape.rules), us_per_group(r->shape.rules_copies));
    }
  }

  fmt::print("\nTargets (issue 16):\n");
  for (const FileReport* r : shapes) {
    double scan = mib_s(r->scan.bytes, r->scan.seconds);
    double j1 = cli_ok(r->cli) ? mib_s(r->size, r->cli.seconds) : 0;
    double j2 = cli_ok(r->cli_j2) ? mib_s(r->size, r->cli_j2.seconds) : 0;
    const ShapeReport& s = r->shape;
    if (starts_with(r->name, "distinct-")) {
      double gs = cli_ok(r->cli) ? r->lib.goroutines / r->cli.seconds : 0;
      fmt::print("- {}: JSON -j 1 {:.0f} MiB/s ≥ {:.0f} MiB/s (3× gostackparse's rate): {}; "
                 "{:.0f} k goroutines/s ≥ {:.0f} k: {}\n",
                 r->name, j1, 3 * kGostackparseMiBs, verdict(j1 >= 3 * kGostackparseMiBs),
                 gs / 1e3, 3 * kGostackparseGoroutinesS / 1e3,
                 verdict(gs >= 3 * kGostackparseGoroutinesS));
      for (const auto& [f, c] : s.formats) {
        if (f != "text") continue;
        double t = cli_ok(c) ? mib_s(r->size, c.seconds) : 0;
        fmt::print("- {}: text -j 1 {:.0f} MiB/s ≥ {:.0f} MiB/s: {}\n", r->name, t,
                   3 * kGostackparseMiBs, verdict(t >= 3 * kGostackparseMiBs));
      }
      // Peak RSS: the CLI's base on a one-goroutine dump, the 1 MiB read
      // buffer the base does not fill, and at most 1 KiB per frame-line.
      constexpr uint64_t kBufferKib = 1024;
      uint64_t limit_kib = base_rss_kib + kBufferKib + r->lib.frame_lines;
      fmt::print("- {}: peak RSS {:.0f} MiB ≤ {:.1f} MiB base + 1 MiB read buffer + 1 KiB × {} "
                 "frame-lines = {:.0f} MiB: {} ({:.0f} bytes per frame-line above base + "
                 "buffer)\n",
                 r->name, r->cli.max_rss_kib / 1024.0, base_rss_kib / 1024.0, r->lib.frame_lines,
                 limit_kib / 1024.0, verdict(cli_ok(r->cli) && r->cli.max_rss_kib <= limit_kib),
                 (static_cast<double>(r->cli.max_rss_kib) - base_rss_kib - kBufferKib) * 1024 /
                     std::max<uint64_t>(1, r->lib.frame_lines));
    }
    if (starts_with(r->name, "onestack-"))
      fmt::print("- {}: JSON -j 1 {:.0f} MiB/s ≥ 100 MiB/s: {}\n", r->name, j1,
                 verdict(j1 >= 100));
    if (starts_with(r->name, "short-")) {
      fmt::print("- {}: -j 1 {:.2f} of memchr ≥ 0.40: {}; -j 2 {:.2f} of memchr ≥ 0.75: {}\n",
                 r->name, j1 / scan, verdict(j1 >= 0.4 * scan), j2 / scan,
                 verdict(j2 >= 0.75 * scan));
    }
    if (starts_with(r->name, "crashloop-") || starts_with(r->name, "crashes-")) {
      fmt::print("- {}: {} snapshots in peak RSS {:.1f} MiB < 30 MiB: {}\n", r->name,
                 r->lib.snapshots, r->cli.max_rss_kib / 1024.0,
                 verdict(cli_ok(r->cli) && r->cli.max_rss_kib < 30 * 1024));
      fmt::print("- {}: -j 1 {:.2f} of memchr ≥ 0.40 (the short-stack rate): {}\n", r->name,
                 j1 / scan, verdict(j1 >= 0.4 * scan));
    }
    double us = us_per_group(s.rules), us_copies = us_per_group(s.rules_copies);
    fmt::print("- {}: rules {:.2f} µs per group ≤ 2 ({} rules): {}; {:.2f} µs with {} rules ≤ 2: "
               "{}\n",
               r->name, us, s.rules.lib.rules, verdict(us >= 0 && us <= 2), us_copies,
               s.rules_copies.lib.rules, verdict(us_copies >= 0 && us_copies <= 2));
    for (const auto& [f, c] : s.formats) {
      double v = cli_ok(c) ? mib_s(r->size, c.seconds) : 0;
      // "At the speed of JSON": within the noise of a best-of run (10%).
      fmt::print("- {}: --format {} {:.0f} MiB/s at JSON's {:.0f} MiB/s (≥ 90%): {}\n", r->name,
                 f, v, j1, verdict(v >= 0.9 * j1));
    }
  }
  for (const FileReport& r : reports) {
    if (!cli_ok(r.cli) || !cli_ok(r.cli_j2)) continue;
    fmt::print("- {}: -j 2 {:.2f} s not slower than -j 1 {:.2f} s: {}\n", r.name,
               r.cli_j2.wall_seconds, r.cli.wall_seconds,
               verdict(r.cli_j2.wall_seconds <= r.cli.wall_seconds));
  }
  if (dt) {
    double read = dt->analyze_base.seconds + dt->analyze_now.seconds;
    for (auto [what, c] : {std::pair{"diff", &dt->diff}, std::pair{"trend", &dt->trend}})
      fmt::print("- {} {} {} ({}): {:.2f} s < 2 × ({:.2f} s + {:.2f} s) of analysing them: {}\n",
                 what, dt->base, dt->now, human_size(dt->bytes), c->seconds,
                 dt->analyze_base.seconds, dt->analyze_now.seconds,
                 verdict(cli_ok(*c) && c->seconds < 2 * read));
  }
}

}  // namespace gorleak::bench
