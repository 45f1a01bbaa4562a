// Parallel loading of several dumps must give exactly what a sequential
// load gives: the same ids in the shared catalog and byte-identical reports.
#include <doctest/doctest.h>

#include "pipeline/load_many.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {
std::vector<std::string> some_dumps() {
  std::vector<std::string> paths;
  for (const char* name : {"send-leak.go1.22.debug2.txt", "recv-leak.go1.27.debug1.txt",
                           "labels.go1.27.debug2.txt", "states.go1.19.sigquit.txt",
                           "mutex-pileup.go1.22.debug2.txt"})
    paths.push_back((corpus_dumps_dir() / name).string());
  return paths;
}
}  // namespace

TEST_CASE("load_dump_files: jobs > 1 gives the ids a sequential load gives") {
  std::vector<std::string> paths = some_dumps();
  Catalog seq_catalog, par_catalog;
  LoadOptions seq, par;
  par.jobs = 3;
  std::vector<LoadResult> a = load_dump_files(seq_catalog, paths, seq);
  std::vector<LoadResult> b = load_dump_files(par_catalog, paths, par);
  REQUIRE(a.size() == paths.size());
  REQUIRE(b.size() == paths.size());
  CHECK(seq_catalog.strings.size() == par_catalog.strings.size());
  CHECK(seq_catalog.stacks.size() == par_catalog.stacks.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    CAPTURE(paths[i]);
    REQUIRE(a[i].ok);
    REQUIRE(b[i].ok);
    REQUIRE(a[i].snapshots.size() == b[i].snapshots.size());
    for (size_t s = 0; s < a[i].snapshots.size(); ++s) {
      const Snapshot& x = a[i].snapshots[s];
      const Snapshot& y = b[i].snapshots[s];
      CHECK(x.total == y.total);
      REQUIRE(x.groups.size() == y.groups.size());
      for (size_t g = 0; g < x.groups.size(); ++g) {
        CHECK(x.groups[g].stack == y.groups[g].stack);
        CHECK(x.groups[g].state == y.groups[g].state);
        CHECK(x.groups[g].count == y.groups[g].count);
      }
      REQUIRE(x.spawns.size() == y.spawns.size());
      for (size_t e = 0; e < x.spawns.size(); ++e) CHECK(x.spawns[e].func == y.spawns[e].func);
    }
  }
  for (StrId id = 0; id < seq_catalog.strings.size(); ++id)
    CHECK(seq_catalog.str(id) == par_catalog.str(id));
}

TEST_CASE("load_dump_files: heap profiles loaded in parallel keep their stacks") {
  // A dump first, so the heap profiles' private catalogs disagree with the
  // shared one about every id.
  std::vector<std::string> paths = {(corpus_dumps_dir() / "heap-ticker.go1.22.after.debug1.txt").string(),
                                    (corpus_profiles_dir() / "heap-ticker.go1.22.after.heap.pb.gz").string(),
                                    (corpus_profiles_dir() / "heap-cache.go1.27.after.heap1.txt").string()};
  Catalog seq_catalog, par_catalog;
  LoadOptions seq, par;
  par.jobs = 3;
  std::vector<LoadResult> a = load_dump_files(seq_catalog, paths, seq);
  std::vector<LoadResult> b = load_dump_files(par_catalog, paths, par);
  for (size_t i = 1; i < paths.size(); ++i) {
    CAPTURE(paths[i]);
    REQUIRE(a[i].heap_profiles.size() == 1);
    REQUIRE(b[i].heap_profiles.size() == 1);
    const auto& x = a[i].heap_profiles[0].samples;
    const auto& y = b[i].heap_profiles[0].samples;
    REQUIRE(x.size() == y.size());
    for (size_t k = 0; k < x.size(); ++k) {
      CHECK(x[k].stack == y[k].stack);
      CHECK(x[k].values == y[k].values);
    }
  }
}

TEST_CASE("CLI: -j 3 over several files prints exactly what -j 1 prints") {
  std::vector<std::string> paths = some_dumps();
  for (const char* format : {"text", "json"}) {
    std::vector<std::string> one = {"--format", format, "--top", "0", "-j", "1"};
    std::vector<std::string> three = {"--format", format, "--top", "0", "-j", "3"};
    one.insert(one.end(), paths.begin(), paths.end());
    three.insert(three.end(), paths.begin(), paths.end());
    RunResult r1 = run_cli(one), r3 = run_cli(three);
    CHECK(r1.exit_code == 0);
    CHECK(r3.exit_code == 0);
    CHECK(r1.out.size() > 1000);
    CHECK(r1.out == r3.out);
  }
}
