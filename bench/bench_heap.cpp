// gorleak-bench-heap: decoding large heap profiles against a raw scan of the
// same file. For each FILE (bench/make-inputs.sh writes heap-*.pb[.gz] with
// gorleak-gen-pprof):
//   raw scan    read every byte (gunzipping a .gz) and do nothing with it:
//               what reading the file costs at all
//   decode      load_dump_file: libprotobuf decoding, samples merged by
//               stack, stacks interned; MB/s over the uncompressed bytes
//   CLI         `gorleak heap --top 5 FILE`, end to end, with its peak RSS
// Best of --runs runs (default 3). Prints a Markdown table.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "pipeline/load.h"
#include "read/byte_source.h"
#include "read/open_input.h"
#include "read/sniff.h"

namespace {

using namespace gorleak;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Reads every byte, gunzipping when the file is gzip; returns the byte count.
uint64_t raw_scan(const std::string& path) {
  OpenedInput in = open_input(path, 0);
  if (!in.source) return 0;
  std::string head, error;
  read_head(*in.source, 2, &head, &error);
  auto src = make_replay_source(head, std::move(in.source));
  if (sniff_content(head) == ContentKind::kGzip) src = make_gzip_source(std::move(src));
  uint64_t n = 0;
  const char* data;
  long got;
  while ((got = src->next_window(&data, &error)) > 0) n += static_cast<uint64_t>(got);
  return n;
}

// CPU seconds of this process so far (user + system): rates from CPU time
// hold on a busy machine where wall time does not.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Cli {
  double seconds = 0;
  double cpu = 0;
  long max_rss_kib = 0;
  int status = -1;
};

Cli run_cli(const std::string& path) {
  Cli c;
  std::fflush(stdout);  // the child must not write our buffered table again
  auto t = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    execl(GORLEAK_CLI_PATH, "gorleak", "heap", "--top", "5", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  c.seconds = seconds_since(t);
  c.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  c.max_rss_kib = ru.ru_maxrss;
  c.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else files.push_back(a);
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: gorleak-bench-heap [--runs N] FILE...\n");
    return 2;
  }
  fmt::print("| profile | MiB on disk | MiB decoded | samples (distinct) | stacks | raw scan MiB/s | decode MiB/s "
             "| decode ms (CPU ms) | CLI ms (CPU ms) | CLI peak RSS MiB |\n");
  fmt::print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const std::string& f : files) {
    double raw_best = 1e9, decode_best = 1e9, raw_cpu = 1e9, decode_cpu = 1e9;
    uint64_t raw_bytes = 0;
    size_t samples = 0, stacks = 0;
    for (int r = 0; r < runs; ++r) {
      auto t = Clock::now();
      double c = cpu_seconds();
      raw_bytes = raw_scan(f);
      raw_best = std::min(raw_best, seconds_since(t));
      raw_cpu = std::min(raw_cpu, cpu_seconds() - c);
      t = Clock::now();
      c = cpu_seconds();
      Catalog catalog;
      LoadResult loaded = load_dump_file(catalog, f);
      decode_best = std::min(decode_best, seconds_since(t));
      decode_cpu = std::min(decode_cpu, cpu_seconds() - c);
      if (!loaded.ok || loaded.heap_profiles.empty()) {
        std::fprintf(stderr, "%s: not a heap profile\n", f.c_str());
        return 1;
      }
      samples = loaded.heap_profiles[0].samples.size();
      stacks = catalog.stacks.size();
    }
    Cli best;
    best.seconds = 1e9;
    for (int r = 0; r < runs; ++r) {
      Cli c = run_cli(f);
      if (c.status != 0) {
        std::fprintf(stderr, "%s: gorleak heap exited with %d\n", f.c_str(), c.status);
        return 1;
      }
      if (c.seconds < best.seconds) best = c;
    }
    double mib = static_cast<double>(raw_bytes) / (1 << 20);
    off_t disk = 0;
    if (FILE* fp = std::fopen(f.c_str(), "rb")) {
      std::fseek(fp, 0, SEEK_END);
      disk = ftello(fp);
      std::fclose(fp);
    }
    // Rates from the smaller of wall and CPU time of the best run: wall on
    // an idle machine, CPU when other work competes for the cores.
    double raw_t = std::min(raw_best, std::max(raw_cpu, 1e-6));
    double decode_t = std::min(decode_best, std::max(decode_cpu, 1e-6));
    fmt::print("| {} | {:.1f} | {:.1f} | {} | {} | {:.0f} | {:.0f} | {:.0f} ({:.0f}) | {:.0f} ({:.0f}) | {:.1f} |\n",
               f.substr(f.rfind('/') + 1), static_cast<double>(disk) / (1 << 20), mib, samples, stacks,
               mib / raw_t, mib / decode_t, decode_best * 1000, decode_cpu * 1000, best.seconds * 1000,
               best.cpu * 1000, static_cast<double>(best.max_rss_kib) / 1024);
  }
  return 0;
}
