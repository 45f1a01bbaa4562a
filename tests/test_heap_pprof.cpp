// gorleak's heap numbers against `go tool pprof` on every corpus heap
// profile: for each of the four sample types, flat and cumulative per
// function must be the numbers `pprof -top` prints, for each profile alone
// and for each consecutive pair of one program's phases with `-base`. For
// the debug=1 text profiles, whose `#` symbols pprof does not read, every
// record's scaled values must be the ones `pprof -raw` prints. pprof is
// built once from the toolchain's own source (cmd/pprof) into a cache kept
// between runs; the test skips cleanly without a Go toolchain.
#include <doctest/doctest.h>

#include <algorithm>
#include <unistd.h>

#include <future>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <re2/re2.h>

#include "go_support.h"
#include "heap/heap_top.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

constexpr HeapValue kAllValues[] = {HeapValue::kAllocObjects, HeapValue::kAllocSpace,
                                    HeapValue::kInuseObjects, HeapValue::kInuseSpace};

struct Row {
  int64_t flat = 0;
  int64_t cum = 0;
};

// The rows of `pprof -top -unit=B`: "  2144513B 57.56% 57.56%  2144513B 57.56%  runtime.malg".
bool parse_top(const std::string& out, std::map<std::string, Row>* rows, std::string* error) {
  static const RE2 row(R"(^\s*(-?\d+)B?\s+-?[\d.]+%\s+-?[\d.]+%\s+(-?\d+)B?\s+-?[\d.]+%\s+(.+?)\s*$)");
  std::istringstream in(out);
  std::string line;
  bool header = false;
  while (std::getline(in, line)) {
    if (!header) {
      header = line.find("flat%") != std::string::npos && line.find("cum%") != std::string::npos;
      continue;
    }
    int64_t flat = 0, cum = 0;
    std::string name;
    if (!RE2::FullMatch(line, row, &flat, &cum, &name)) {
      *error = "unexpected line: " + line;
      return false;
    }
    constexpr std::string_view kInline = " (inline)";
    if (name.size() > kInline.size() && name.ends_with(kInline)) name.resize(name.size() - kInline.size());
    if (rows->count(name)) {
      *error = "function listed twice: " + name;
      return false;
    }
    (*rows)[name] = Row{flat, cum};
  }
  if (!header) *error = "no -top table in: " + out.substr(0, 300);
  return header;
}

// The sample values of `pprof -raw`, in order.
std::vector<std::vector<int64_t>> parse_raw(const std::string& out) {
  static const RE2 sample(R"(^\s*(-?\d+(?:\s+-?\d+)*):(?: [\d ]*)?$)");
  std::vector<std::vector<int64_t>> samples;
  std::istringstream in(out);
  std::string line, values;
  bool in_samples = false;
  while (std::getline(in, line)) {
    if (line == "Samples:") {
      in_samples = true;
      continue;
    }
    if (line.rfind("Locations", 0) == 0) break;
    if (!in_samples || !RE2::FullMatch(line, sample, &values)) continue;
    std::istringstream v(values);
    std::vector<int64_t> s;
    int64_t x;
    while (v >> x) s.push_back(x);
    samples.push_back(std::move(s));
  }
  return samples;
}

// pprof built from the toolchain's own source, once per Go version.
std::optional<fs::path> build_pprof(const fs::path& go) {
  std::string out;
  fs::path tmp = fs::temp_directory_path();
  fs::path gocache = tmp / "gorleak-e2e-gocache";
  std::string env = fmt::format("env GOCACHE={} GOFLAGS= GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0 ",
                                shell_quote(gocache.string()));
  if (run_shell(env + shell_quote(go.string()) + " env GOVERSION", tmp / "gorleak-pprof-version.log", &out) != 0)
    return std::nullopt;
  std::string version = out.substr(0, out.find_first_of("\r\n"));
  fs::path bin = tmp / fmt::format("gorleak-pprof-{}", version) / "pprof";
  std::error_code ec;
  if (fs::exists(bin, ec)) return bin;
  fs::create_directories(bin.parent_path(), ec);
  int rc = run_shell(fmt::format("{}timeout 900 {} build -o {} cmd/pprof", env, shell_quote(go.string()),
                                 shell_quote(bin.string())),
                     bin.parent_path() / "build.log", &out);
  if (rc != 0) {
    MESSAGE("building cmd/pprof failed: ", out);
    return std::nullopt;
  }
  return bin;
}

struct Job {
  std::string label;
  std::vector<std::string> args;
};

std::string run_pprof(const fs::path& pprof, const Job& job, size_t n) {
  std::string cmd = "env PPROF_BINARY_PATH=/nonexistent HOME=/nonexistent timeout 120 " + shell_quote(pprof.string());
  for (const std::string& a : job.args) cmd += " " + shell_quote(a);
  std::string out;
  fs::path log = fs::temp_directory_path() / fmt::format("gorleak-pprof-{}-{}.log", getpid(), n);
  run_shell(cmd, log, &out);
  std::error_code ec;
  fs::remove(log, ec);
  return out;
}

// Runs the jobs a few at a time (pprof spends its time starting up).
std::vector<std::string> run_all(const fs::path& pprof, const std::vector<Job>& jobs) {
  std::vector<std::string> outs(jobs.size());
  constexpr size_t kParallel = 4;
  for (size_t i = 0; i < jobs.size(); i += kParallel) {
    std::vector<std::future<std::string>> batch;
    for (size_t k = i; k < std::min(jobs.size(), i + kParallel); ++k)
      batch.push_back(std::async(std::launch::async, run_pprof, pprof, jobs[k], k));
    for (size_t k = 0; k < batch.size(); ++k) outs[i + k] = batch[k].get();
  }
  return outs;
}

std::map<std::string, Row> ours(const HeapProfile& p, const Catalog& c, HeapValue v) {
  std::map<std::string, Row> m;
  for (const FunctionTotals& f : heap_top(p, c, v).functions) m[std::string(c.str(f.func))] = Row{f.flat, f.cum};
  return m;
}

// "prog.goV.phase" -> "prog.goV"
std::string program_version(const std::string& file) {
  size_t go = file.find(".go1.");
  return file.substr(0, file.find('.', go + 5));
}

int phase_rank(const std::string& file) {
  static const std::vector<std::string> order = {".idle.", ".healthy.", ".loaded.", ".after."};
  for (size_t i = 0; i < order.size(); ++i)
    if (file.find(order[i]) != std::string::npos) return static_cast<int>(i);
  return 99;
}

}  // namespace

TEST_CASE("heap profiles: flat and cum per function agree with go tool pprof -top, with and without -base") {
  auto go = find_go_or_skip("pprof agreement");
  if (!go) return;
  auto pprof = build_pprof(*go);
  REQUIRE_MESSAGE(pprof.has_value(), "cmd/pprof did not build with ", go->string());
  std::vector<fs::path> files = list_files(corpus_profiles_dir(), ".heap.pb.gz");
  REQUIRE(files.size() >= 14);
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    std::string x = a.filename().string(), y = b.filename().string();
    if (program_version(x) != program_version(y)) return program_version(x) < program_version(y);
    return phase_rank(x) < phase_rank(y);
  });

  Catalog catalog;
  std::map<std::string, HeapProfile> profiles;
  for (const fs::path& f : files) {
    LoadResult r = load_dump_file(catalog, f.string());
    REQUIRE_MESSAGE(r.ok, f.string());
    REQUIRE(r.heap_profiles.size() == 1);
    profiles[f.string()] = std::move(r.heap_profiles.front());
  }
  struct Check {
    std::string base;  // "" without -base
    std::string file;
    HeapValue value;
  };
  std::vector<Job> jobs;
  std::vector<Check> checks;
  auto add = [&](const std::string& base, const std::string& file, HeapValue v) {
    std::vector<std::string> args = {"-top", "-nodefraction=0", "-nodecount=1000000", "-unit=B",
                                     "-symbolize=none",
                                     "-sample_index=" + std::string(heap_value_name(v))};
    if (!base.empty()) {
      args.push_back("-base");
      args.push_back(base);
    }
    args.push_back(file);
    jobs.push_back(Job{file, args});
    checks.push_back(Check{base, file, v});
  };
  for (size_t i = 0; i < files.size(); ++i) {
    for (HeapValue v : kAllValues) add("", files[i].string(), v);
    bool same_program = i > 0 && program_version(files[i - 1].filename().string()) ==
                                     program_version(files[i].filename().string());
    if (same_program)
      for (HeapValue v : kAllValues) add(files[i - 1].string(), files[i].string(), v);
  }
  std::vector<std::string> outs = run_all(*pprof, jobs);
  size_t rows = 0, with_base = 0;
  for (size_t i = 0; i < checks.size(); ++i) {
    const Check& c = checks[i];
    std::string what = fmt::format("{}{} -sample_index={}", c.base.empty() ? "" : "-base " + c.base + " ",
                                   c.file, heap_value_name(c.value));
    std::map<std::string, Row> theirs;
    std::string error;
    bool parsed = parse_top(outs[i], &theirs, &error);
    CHECK_MESSAGE(parsed, what, ": ", error);
    if (!parsed) continue;
    std::map<std::string, Row> mine =
        c.base.empty() ? ours(profiles.at(c.file), catalog, c.value)
                       : ours(heap_difference(profiles.at(c.base), profiles.at(c.file)), catalog, c.value);
    for (const auto& [name, row] : theirs) {
      auto it = mine.find(name);
      CHECK_MESSAGE(it != mine.end(), what, ": pprof lists ", name, " and gorleak does not");
      if (it == mine.end()) continue;
      CHECK_MESSAGE(it->second.flat == row.flat, what, " ", name, " flat: gorleak ", it->second.flat, " pprof ", row.flat);
      CHECK_MESSAGE(it->second.cum == row.cum, what, " ", name, " cum: gorleak ", it->second.cum, " pprof ", row.cum);
      ++rows;
    }
    for (const auto& [name, row] : mine)
      CHECK_MESSAGE(theirs.count(name), what, ": gorleak lists ", name, " and pprof does not");
    with_base += !c.base.empty();
  }
  MESSAGE(fmt::format("{} pprof -top runs ({} with -base) over {} heap profiles: {} function rows agree",
                      checks.size(), with_base, files.size(), rows));
}

TEST_CASE("debug=1 text heap profiles: every record scaled exactly as go tool pprof scales it") {
  auto go = find_go_or_skip("pprof agreement");
  if (!go) return;
  auto pprof = build_pprof(*go);
  REQUIRE(pprof.has_value());
  std::vector<fs::path> files = list_files(corpus_profiles_dir(), ".heap1.txt");
  REQUIRE(files.size() >= 7);
  std::vector<Job> jobs;
  for (const fs::path& f : files) jobs.push_back(Job{f.string(), {"-raw", "-symbolize=none", f.string()}});
  std::vector<std::string> outs = run_all(*pprof, jobs);
  size_t records = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    Catalog catalog;
    LoadResult r = load_dump_file(catalog, files[i].string());
    REQUIRE_MESSAGE(r.ok, files[i].string());
    REQUIRE(r.heap_profiles.size() == 1);
    const HeapProfile& p = r.heap_profiles.front();
    std::vector<std::vector<int64_t>> theirs = parse_raw(outs[i]);
    REQUIRE_MESSAGE(theirs.size() == p.samples.size(), files[i].string(), ": pprof has ", theirs.size(),
                    " samples, gorleak ", p.samples.size(), "\n", outs[i].substr(0, 500));
    for (size_t k = 0; k < theirs.size(); ++k) {
      const HeapSample& s = p.samples[k];
      std::vector<int64_t> mine;
      for (size_t v = 0; v < kHeapValueCount; ++v)
        if (p.has_value[v]) mine.push_back(s.values[v]);
      CHECK_MESSAGE(mine == theirs[k], files[i].string(), " record ", k + 1);
      ++records;
    }
    CHECK(p.memstats.has_value());
  }
  MESSAGE(fmt::format("{} text profiles, {} records: scaled values equal pprof -raw", files.size(), records));
}
