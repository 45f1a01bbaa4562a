// The heap commands through the built binary: `gorleak heap FILE`, `gorleak
// FILE` on a heap profile, `gorleak heap diff` and `gorleak diff` on heap
// profiles, a goroutine dump joined with a heap profile; text and JSON
// (valid, deterministic, the numbers of the library), and --fail-on.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "json_check.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

std::string profile(const std::string& name) { return (corpus_profiles_dir() / name).string(); }

Json json_of(const std::vector<std::string>& args) {
  RunResult r = run_cli(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  Json j;
  std::string error;
  REQUIRE_MESSAGE(parse_json(r.out, &j, &error), error);
  return j;
}

}  // namespace

TEST_CASE("gorleak heap FILE: text names the finding, the functions and the marked user frame") {
  std::string pb = profile("heap-cache.go1.22.after.heap.pb.gz");
  RunResult r = run_cli({"heap", pb});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(pb + ": heap profile (proto), Go 1.22") != std::string::npos);
  CHECK(r.out.find("Functions by inuse_space (flat, cumulative)") != std::string::npos);
  CHECK(r.out.find("\u2192 main.(*Cache).Put") != std::string::npos);  // the user frame, marked
  CHECK(r.out.find("does not say whether a GC ran") != std::string::npos);
  // `gorleak FILE` is the same report.
  CHECK(run_cli({pb}).out == r.out);
  // The text form adds the MemStats explanation.
  RunResult t = run_cli({"heap", profile("heap-cache.go1.22.after.heap1.txt")});
  CHECK(t.exit_code == 0);
  CHECK(t.out.find("heap profile (text)") != std::string::npos);
  CHECK(t.out.find("HeapReleased") != std::string::npos);
  CHECK(t.out.find("Sys - HeapReleased") != std::string::npos);
  CHECK(t.out.find("NumForced") == std::string::npos);  // the forced GC is said in words
  CHECK(t.out.find("A forced GC has run") != std::string::npos);
}

TEST_CASE("gorleak heap --format json: valid, deterministic, and the finding the rules found") {
  std::string pb = profile("heap-timeafter.go1.22.after.heap.pb.gz");
  std::vector<std::string> args = {"heap", "--format", "json", pb};
  RunResult a = run_cli(args), b = run_cli(args);
  CHECK(a.out == b.out);
  Json j = json_of(args);
  CHECK(j.at("schema_version").u64() == 1);
  CHECK(j.at("kind").str() == "heap");
  CHECK(j.at("sample_index").str() == "inuse_space");
  const Json& p = j.at("profiles").at(0);
  CHECK(p.at("form").str() == "proto");
  CHECK(p.at("go_version").at("min_minor").u64() == 22);
  bool found = false;
  for (const Json& f : p.at("findings").items) {
    if (f.at("rule").str() != "heap-time-after") continue;
    found = true;
    CHECK(f.at("site").at("func").str() == "main.eventLoop");
    CHECK(f.at("values").at("inuse_space").i64() > (1 << 20));
    // Every stack a finding names is in the table.
    for (const Json& id : f.at("stacks").items) CHECK(id.u64() < j.at("stacks").size());
  }
  CHECK(found);
  CHECK(p.at("functions").size() == p.at("function_count").u64());  // JSON shows all
  Json objects = json_of({"heap", "--format", "json", "--sample-index", "alloc_objects", pb});
  CHECK(objects.at("sample_index").str() == "alloc_objects");
}

TEST_CASE("gorleak heap diff and gorleak diff: growth per site, retained, stayed") {
  std::string idle = profile("heap-cache.go1.27.idle.heap.pb.gz");
  std::string loaded = profile("heap-cache.go1.27.loaded.heap.pb.gz");
  std::string after = profile("heap-cache.go1.27.after.heap.pb.gz");
  RunResult r = run_cli({"heap", "diff", idle, loaded, after});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("heap diff") != std::string::npos);
  CHECK(r.out.find("stayed") != std::string::npos);
  CHECK(r.out.find("retained (leak candidate)") != std::string::npos);
  CHECK(r.out.find("heap-growing-structure") != std::string::npos);
  CHECK(run_cli({"diff", idle, loaded, after}).out == r.out);
  Json j = json_of({"diff", "--format", "json", idle, after});
  CHECK(j.at("kind").str() == "heap-diff");
  const Json& top = j.at("sites").at(0);
  CHECK(top.at("verdict").str() == "retained");
  CHECK(top.at("growth").at("inuse_space").i64() > (16 << 20));
  CHECK(j.at("profiles").size() == 2);
  // --fail-on: the finding is medium.
  CHECK(run_cli({"heap", "diff", "--fail-on", "medium", idle, after}).exit_code == 1);
  CHECK(run_cli({"heap", "diff", "--fail-on", "high", idle, after}).exit_code == 0);
}

TEST_CASE("a goroutine dump with a heap profile: both reports, and the heap the leak holds") {
  std::string dump = (corpus_dumps_dir() / "heap-ticker.go1.27.after.d2.gz").string();
  std::string pb = profile("heap-ticker.go1.27.after.heap.pb.gz");
  RunResult r = run_cli({dump, pb});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("4000 goroutines") != std::string::npos);
  CHECK(r.out.find("Heap held by goroutine leaks") != std::string::npos);
  Json j = json_of({"heap", "--format", "json", dump, pb});
  REQUIRE(j.at("goroutine_leaks").size() >= 1);
  const Json& g = j.at("goroutine_leaks").at(0);
  CHECK(g.at("finding").at("site").at("func").str() == "main.monitorLoop");
  CHECK(g.at("holds").at("inuse_space").i64() > (256 << 10));
}
