// Goroutine profiles in protobuf form (/debug/pprof/goroutine without
// ?debug=): for every corpus moment captured both ways (regen fetches the
// protobuf profile right after ?debug=1), the protobuf profile must give the
// same groups, counts and labels as the debug=1 text, the same findings, and
// a diff between the two must find nothing changed.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bad_input_support.h"
#include "classify/classifier.h"
#include "diff/snapshot_diff.h"
#include "read/byte_source.h"
#include "read/sniff.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

// Group key by strings (the two forms load into different catalogs).
std::string stack_key(const Catalog& c, const Group& g) {
  std::string k;
  for (const Frame& f : c.stacks.get(g.stack).frames)
    k += fmt::format("{}@{}:{}|", c.str(f.func), c.str(f.file), f.line);
  return k + "#" + g.labels;
}

struct Groups {
  std::map<std::string, uint64_t> counts;
  std::map<std::string, StateCategory> inferred;  // groups whose state the frames told
};

// The capture's own goroutines differ between two fetches (corpus/README.md
// leaves them out of every expect line too): the handler writing the
// profile, the background read of the fetch's connection (a new connection
// each time), the pprof server's accept loop (in accept4 while the next
// fetch connects, parked otherwise), and a goroutine for the next
// connection that has not started yet (no frame but runtime.goexit, which
// both forms hide).
bool capture_goroutine(const Catalog& c, const Group& g) {
  const Stack& s = c.stacks.get(g.stack);
  if (s.frames.empty()) return true;
  for (const Frame& f : s.frames) {
    std::string_view fn = c.str(f.func);
    if (fn == "runtime/pprof.writeRuntimeProfile" || fn == "net/http.(*connReader).backgroundRead" ||
        fn == "gorleakcorpus/harness.Serve")
      return true;
  }
  return false;
}

std::string differences(const std::map<std::string, uint64_t>& a, const std::map<std::string, uint64_t>& b) {
  std::string out;
  for (const auto& [k, n] : a)
    if (!b.count(k) || b.at(k) != n) out += fmt::format("\n  debug1 {} x{}", k, n);
  for (const auto& [k, n] : b)
    if (!a.count(k) || a.at(k) != n) out += fmt::format("\n  proto  {} x{}", k, n);
  return out;
}

Groups groups_of(const Catalog& c, const Snapshot& s) {
  Groups out;
  for (const Group& g : s.groups) {
    if (capture_goroutine(c, g)) continue;
    out.counts[stack_key(c, g)] += g.count;
    if (g.category != StateCategory::kUnknown) out.inferred[stack_key(c, g)] = g.category;
  }
  return out;
}

std::vector<std::string> finding_keys(const Catalog& c, const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const Finding& f : fs)
    out.push_back(fmt::format("{} {} {} {}", f.rule, f.count, c.str(f.site.func), severity_name(f.severity)));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a protobuf goroutine profile gives the groups, counts, labels and findings of debug=1") {
  std::vector<fs::path> protos = list_files(corpus_dumps_dir(), ".goroutine.pb.gz");
  REQUIRE(protos.size() >= 14);
  size_t moments = 0, groups = 0, findings = 0;
  for (const fs::path& pb : protos) {
    std::string name = pb.string();
    fs::path d1 = name.substr(0, name.size() - std::string(".goroutine.pb.gz").size()) + ".debug1.txt";
    if (!fs::exists(d1)) continue;
    auto a = load(d1);
    auto b = load(pb);
    REQUIRE_MESSAGE(a->result.ok, d1.string());
    REQUIRE_MESSAGE(b->result.ok, pb.string());
    REQUIRE(a->result.snapshots.size() == 1);
    REQUIRE(b->result.snapshots.size() == 1);
    Snapshot& text = a->result.snapshots[0];
    Snapshot& proto = b->result.snapshots[0];
    CHECK(proto.form == Form::kProto);
    CHECK(form_name(proto.form) == "proto");
    Groups gt = groups_of(a->catalog, text), gp = groups_of(b->catalog, proto);
    CHECK_MESSAGE(gt.counts == gp.counts, pb.string(), differences(gt.counts, gp.counts));
    // What debug=1's frames told about a state, the protobuf profile's
    // (which also sees the hidden runtime frames) tells the same.
    for (const auto& [key, cat] : gt.inferred) {
      auto it = gp.inferred.find(key);
      CHECK_MESSAGE((it != gp.inferred.end() && it->second == cat), pb.string(), " state of ", key);
    }
    const RuleSet& rules = builtin_rule_set();
    classify(text, a->catalog, rules, ClassifyOptions{});
    classify(proto, b->catalog, rules, ClassifyOptions{});
    CHECK_MESSAGE(finding_keys(a->catalog, text.findings) == finding_keys(b->catalog, proto.findings),
                  pb.string());
    ++moments;
    groups += text.groups.size();
    findings += text.findings.size();
  }
  CHECK(moments >= 14);
  MESSAGE(fmt::format("{} moments, {} groups and {} findings equal in both forms", moments, groups, findings));
}

TEST_CASE("a diff between the two forms of one moment finds nothing changed") {
  std::vector<fs::path> protos = list_files(corpus_dumps_dir(), "heap-ticker.go1.27.loaded.goroutine.pb.gz");
  REQUIRE(protos.size() == 1);
  fs::path d1 = corpus_dumps_dir() / "heap-ticker.go1.27.loaded.debug1.txt";
  Catalog catalog;
  LoadResult a = load_dump_file(catalog, d1.string());
  LoadResult b = load_dump_file(catalog, protos[0].string());
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  SnapshotDiff d = diff_snapshots({DiffDump{"text", &a.snapshots[0], &catalog},
                                   DiffDump{"proto", &b.snapshots[0], &catalog}},
                                  DiffOptions{});
  REQUIRE(!d.rows.empty());
  for (const DiffRow& r : d.rows) CHECK(r.status == DiffStatus::kSame);
}

TEST_CASE("protobuf profiles are recognised gzipped or not: Go writes field 11 first") {
  fs::path pb = corpus_dumps_dir() / "heap-ticker.go1.22.loaded.goroutine.pb.gz";
  std::string gz = read_file(pb);
  REQUIRE(!gz.empty());
  auto gunzipped = load(pb);
  REQUIRE(gunzipped->result.ok);
  // The raw profile: gunzip through the reader itself.
  std::string raw;
  {
    auto src = make_gzip_source(make_memory_source(gz));
    std::string err;
    char buf[65536];
    long n;
    while ((n = src->read(buf, sizeof buf, &err)) > 0) raw.append(buf, static_cast<size_t>(n));
    REQUIRE(n == 0);
  }
  CHECK(static_cast<unsigned char>(raw[0]) == 0x5a);  // field 11, length-delimited
  CHECK(sniff_content(raw) == ContentKind::kPprofProto);
  CHECK(sniff_content(gz) == ContentKind::kGzip);
  ScratchDir dir("pprof");
  auto plain = load(dir.write("goroutine.pb", raw));
  REQUIRE(plain->result.ok);
  CHECK(plain->result.snapshots[0].total == gunzipped->result.snapshots[0].total);
  // Text that starts with a newline stays text.
  CHECK(sniff_content("\ngoroutine 1 [running]:\nmain.main()\n") == ContentKind::kText);
}
