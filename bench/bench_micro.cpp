// gorleak-bench-micro: Google Benchmark loops over one dump held in memory,
// so that parser changes can be compared without disk or page-cache noise,
// and so perf/callgrind have a steady loop to sample.
//
//   GORLEAK_BENCH_FILE=/tmp/gorleak-bench/d2-20m.txt gorleak-bench-micro
//
// (default file: $GORLEAK_BENCH_DIR/d2-20m.txt, made by bench/make-inputs.sh)
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <benchmark/benchmark.h>

#include "classify/classifier.h"
#include "classify/rule_loader.h"
#include "classify/rule_set.h"
#include "pipeline/load.h"

namespace {

std::string input_path() {
  if (const char* f = std::getenv("GORLEAK_BENCH_FILE")) return f;
  const char* dir = std::getenv("GORLEAK_BENCH_DIR");
  return std::string(dir ? dir : "/tmp/gorleak-bench") + "/d2-20m.txt";
}

const std::string& input() {
  static const std::string text = [] {
    std::ifstream in(input_path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return text;
}

const gorleak::RuleSet* rules() {
  static std::unique_ptr<gorleak::RuleSet> set = [] {
    std::unique_ptr<gorleak::RuleSet> r;
    struct stat st;
    if (::stat(GORLEAK_BUILTIN_RULES_DIR, &st) != 0) return r;
    gorleak::RuleLoader loader;
    loader.add_path(GORLEAK_BUILTIN_RULES_DIR, true);
    std::vector<gorleak::Diagnostic> diags;
    return gorleak::RuleSet::build(loader.take_rules(), {}, &diags, loader.roles());
  }();
  return set.get();
}

bool have_input(benchmark::State& state) {
  if (!input().empty()) return true;
  state.SkipWithError(("no input at " + input_path() + " (run bench/make-inputs.sh)").c_str());
  return false;
}

void BM_Memchr(benchmark::State& state) {
  if (!have_input(state)) return;
  const std::string& t = input();
  for (auto _ : state) {
    size_t lines = 0;
    const char* p = t.data();
    const char* end = p + t.size();
    while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * t.size()));
}

// Read + parse + group (load_dump_text), optionally + classify.
void load(benchmark::State& state, bool with_rules) {
  if (!have_input(state)) return;
  const std::string& t = input();
  const gorleak::RuleSet* rs = with_rules ? rules() : nullptr;
  if (with_rules && !rs) {
    state.SkipWithError("no built-in rules");
    return;
  }
  uint64_t goroutines = 0;
  for (auto _ : state) {
    gorleak::Catalog catalog;
    gorleak::LoadResult r = gorleak::load_dump_text(catalog, t, "bench");
    if (rs)
      for (gorleak::Snapshot& s : r.snapshots) gorleak::classify(s, catalog, *rs, {});
    goroutines = 0;
    for (const gorleak::Snapshot& s : r.snapshots) goroutines += s.total;
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * t.size()));
  state.counters["goroutines/s"] = benchmark::Counter(
      static_cast<double>(goroutines * state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Load(benchmark::State& state) { load(state, false); }
void BM_LoadClassify(benchmark::State& state) { load(state, true); }

BENCHMARK(BM_Memchr)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Load)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadClassify)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
