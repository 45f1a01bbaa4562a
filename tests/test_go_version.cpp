// The Go version range read off a dump (parse/go_version.h) must always
// hold the version that printed it: every corpus dump names its version in
// its file name (NAME.go1.22.debug2.txt), in every form, and SOURCES.md
// states it for many public dumps. The corpus dumps carry their GOROOT in
// every stdlib path, which gives the version exactly; so each is read a
// second time with those paths rewritten to /usr/local/go (a GOROOT that
// names no version), where only the vocabulary, header syntax and frame
// names can narrow the range.
#include <doctest/doctest.h>

#include <re2/re2.h>

#include <fmt/format.h>

#include <map>
#include <sstream>
#include <string>

#include "model/snapshot.h"
#include "parse/go_version.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

bool contains(const GoVersionRange& r, uint32_t minor) {
  return (r.min_minor == 0 || r.min_minor <= minor) && (r.max_minor == 0 || minor <= r.max_minor);
}

// "1.22–1.23", "≥1.22", "unknown": a range's shape, for the distribution.
std::string width_name(const GoVersionRange& r) {
  if (!r.known()) return "unknown";
  if (r.min_minor == 0) return "upper bound only";
  if (r.max_minor == 0) return "lower bound only";
  return fmt::format("{} minor version{}", r.max_minor - r.min_minor + 1,
                     r.max_minor == r.min_minor ? "" : "s");
}

std::string distribution(const std::map<std::string, size_t>& m) {
  std::string out;
  for (const auto& [k, n] : m) out += fmt::format("{}: {}; ", k, n);
  return out;
}

}  // namespace

TEST_CASE("every corpus dump's version lies in the range read off it") {
  const RE2 name_re(R"(.*\.go1\.(\d+)\.(?:[a-z]+\.)?(debug1|debug2|leak1|leak2|sigquit|test)\.txt)");
  const RE2 goroot(R"(/opt/go/go-1\.\d+/usr/lib/go-1\.\d+/src/)");
  std::map<std::string, size_t> exact, vocabulary;
  std::map<std::string, std::map<std::string, size_t>> by_form;
  size_t dumps = 0, snapshots = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt")) {
    uint32_t minor = 0;
    std::string form;
    if (!RE2::FullMatch(p.filename().string(), name_re, &minor, &form)) continue;
    CAPTURE(p.filename().string());
    std::string text = read_file(p);
    auto l = load_text(text);
    for (const Snapshot& s : l->result.snapshots) {
      CAPTURE(s.go_version.basis);
      CHECK(contains(s.go_version, minor));
      // The GOROOT names the version exactly, wherever a stdlib frame is
      // printed (a goroutineleak debug=1 profile may list user frames only).
      if (form != "leak1") {
        CHECK(s.go_version.min_minor == minor);
        CHECK(s.go_version.max_minor == minor);
      }
      ++exact[width_name(s.go_version)];
      ++snapshots;
    }
    std::string bare = text;
    if (RE2::GlobalReplace(&bare, goroot, "/usr/local/go/src/") == 0) continue;
    auto b = load_text(bare);
    for (const Snapshot& s : b->result.snapshots) {
      CAPTURE(s.go_version.basis);
      CAPTURE(s.go_version.min_minor);
      CAPTURE(s.go_version.max_minor);
      CHECK(contains(s.go_version, minor));
      ++vocabulary[width_name(s.go_version)];
      ++by_form[fmt::format("{} go1.{}", form, minor)][width_name(s.go_version)];
    }
    ++dumps;
  }
  CHECK(dumps > 400);
  MESSAGE(dumps << " corpus dumps, " << snapshots << " snapshots; with their GOROOT paths: "
                << distribution(exact));
  MESSAGE("with GOROOT /usr/local/go: " << distribution(vocabulary));
  for (const auto& [key, d] : by_form) MESSAGE("  " << key << ": " << distribution(d));
}

TEST_CASE("public dumps: the version SOURCES.md states lies in the range") {
  if (!shared_available()) {
    MESSAGE("../shared absent: skipped");
    return;
  }
  auto dir = shared_dir() / "corpus-public";
  std::istringstream in(read_file(dir / "SOURCES.md"));
  std::string line;
  // | File | Source | Go ver | …: a stated version is "1.21", "1.8.1 (path)",
  // "1.25.6 (toolchain path)", "1.24+ (…)"; "~1.9" and "(est.)" are guesses.
  const RE2 row(R"(\| (\S+\.txt) \| [^|]* \| ([^|]*) \|.*)");
  const RE2 stated(R"(1\.(\d+)(?:\.\d+)?(\+)?(?:[ ,].*)?)");
  size_t checked = 0;
  std::map<std::string, size_t> widths;
  while (std::getline(in, line)) {
    std::string file, ver, plus;
    uint32_t minor = 0;
    if (!RE2::FullMatch(line, row, &file, &ver)) continue;
    if (ver.find("est") != std::string::npos || !RE2::FullMatch(ver, stated, &minor, &plus)) continue;
    CAPTURE(file);
    CAPTURE(ver);
    auto l = load(dir / file);
    for (const Snapshot& s : l->result.snapshots) {
      CAPTURE(s.go_version.basis);
      CAPTURE(s.go_version.min_minor);
      CAPTURE(s.go_version.max_minor);
      if (plus.empty()) CHECK(contains(s.go_version, minor));
      else CHECK((s.go_version.max_minor == 0 || s.go_version.max_minor >= minor));
      ++widths[width_name(s.go_version)];
    }
    ++checked;
  }
  CHECK(checked >= 15);
  MESSAGE(checked << " public dumps with a stated version: " << distribution(widths));
}

TEST_CASE("GOROOT paths name the version; /usr/local/go does not") {
  auto minor = [](std::string_view path) { return file_version_facts(path) & 0x3f; };
  CHECK(minor("/usr/lib/go-1.19/src/runtime/proc.go") == 19);
  CHECK(minor("/opt/go/go-1.22/usr/lib/go-1.22/src/net/http/server.go") == 22);
  CHECK(minor("/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.25.6.linux-amd64/src/testing/testing.go") == 25);
  CHECK(minor("/opt/hostedtoolcache/go/1.19.5/arm64/src/runtime/proc.go") == 19);
  CHECK(minor("C:/hostedtoolcache/windows/go/1.17.8/x64/src/testing/testing.go") == 17);
  CHECK(minor("/usr/local/Cellar/go/1.8.1/libexec/src/net/http/server.go") == 8);
  CHECK(minor("/Users/x/.asdf/installs/golang/1.21.5/go/src/runtime/netpoll.go") == 21);
  CHECK(minor("/home/u/sdk/go1.22.3/src/sync/mutex.go") == 22);
  CHECK(minor("/nix/store/abc-go-1.21.5/share/go/src/os/file.go") == 21);
  CHECK(minor("/usr/local/go/src/runtime/proc.go") == 0);
  CHECK(minor("C:/Program Files/Go/src/net/http/server.go") == 0);
  // Not a GOROOT: the rest is not a standard-library package.
  CHECK(minor("/home/u/go1.19/src/github.com/x/y/z.go") == 0);
  CHECK(minor("/home/u/go1.19/pkg/mod/github.com/x/y@v1.0.0/src/z.go") == 0);
  CHECK(minor("/home/u/cargo1.2/src/runtime/x.go") == 0);
  CHECK((file_version_facts("/usr/local/go/src/pkg/runtime/proc.c") & kSrcPkgLayout) != 0);
}

TEST_CASE("clues: each bounds the range, and conflicting ones widen it") {
  auto range = [](std::initializer_list<VersionClue> clues) {
    VersionEvidence e;
    for (VersionClue c : clues) e.add(c);
    return infer_go_version(e);
  };
  GoVersionRange r = range({VersionClue::kGowrap, VersionClue::kSemacquireWaitGroup});
  CHECK(r.min_minor == 22);
  CHECK(r.max_minor == 23);
  CHECK(r.basis == "gowrap frames; semacquire under WaitGroup.Wait");
  r = range({VersionClue::kSynctestGroup});
  CHECK(r.min_minor == 24);
  CHECK(r.max_minor == 24);
  CHECK(r.basis == "synctest group N");
  r = range({VersionClue::kInGoroutine});
  CHECK(r.min_minor == 21);
  CHECK(r.max_minor == 0);
  CHECK_FALSE(range({}).known());
  CHECK_FALSE(range({VersionClue::kFrameWaitGroupWait}).known());  // a frame alone proves nothing
  r = range({VersionClue::kLeaked, VersionClue::kSemacquireLock});  // 1.26+ against ≤1.19
  CHECK(r.min_minor == 19);
  CHECK(r.max_minor == 26);
  CHECK(r.basis.find("conflicting") == 0);
  VersionEvidence e;
  e.goroot_minors = uint64_t{1} << 22;
  e.add(VersionClue::kGowrap);
  r = infer_go_version(e);
  CHECK(r.min_minor == 22);
  CHECK(r.max_minor == 22);
  CHECK(r.basis == "GOROOT go1.22");
  CHECK(state_clues("sync.WaitGroup.Wait") == clue_bit(VersionClue::kStateWaitGroup));
  CHECK(state_clues("chan receive") == 0);
  CHECK(function_clues("main.main.gowrap1") == clue_bit(VersionClue::kGowrap));
  CHECK(function_clues("main.worker-range1") == clue_bit(VersionClue::kRangeFunc));
  CHECK(function_clues("main.(*T).loop-fm") == 0);
  CHECK(function_clues("internal/sync.(*Mutex).lockSlow") == clue_bit(VersionClue::kInternalSync));
  CHECK(function_clues("pkg.glob..func1") == clue_bit(VersionClue::kGlobClosure));
}
