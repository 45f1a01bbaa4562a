// libFuzzer target: arbitrary bytes as a rule file. Loading must either
// yield rules or diagnostics (never both, never neither for non-empty
// rules), and whatever loads must compile into a RuleSet and run against a
// small real dump without trouble.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "classify/classifier.h"
#include "classify/rule_loader.h"
#include "classify/rule_set.h"
#include "fuzz_support.h"
#include "pipeline/load.h"

namespace {

using namespace gorleak;

// A tiny debug=2 dump with the usual shapes, so compiled rules get matched.
constexpr std::string_view kDump =
    "goroutine 1 [running]:\n"
    "main.main()\n"
    "\t/app/main.go:20 +0x1d\n"
    "\n"
    "goroutine 7 [chan send, 12 minutes]:\n"
    "main.fetch.func1()\n"
    "\t/app/fetch.go:31 +0x2e\n"
    "created by main.fetch in goroutine 1\n"
    "\t/app/fetch.go:29 +0x85\n"
    "\n"
    "goroutine 9 [select]:\n"
    "net/http.(*persistConn).writeLoop(0xc000180000)\n"
    "\t/usr/lib/go/src/net/http/transport.go:2421 +0xe5\n"
    "created by net/http.(*Transport).dialConn in goroutine 7\n"
    "\t/usr/lib/go/src/net/http/transport.go:1777 +0x16f1\n"
    "\n"
    "goroutine 10 [sync.Mutex.Lock]:\n"
    "sync.runtime_SemacquireMutex(0xc0000a6004?, 0x0?, 0x1?)\n"
    "\t/usr/lib/go/src/runtime/sema.go:95 +0x25\n"
    "main.(*store).get(0xc0000a6000)\n"
    "\t/app/store.go:12 +0x45\n";

struct Fixture {
  Catalog catalog;
  LoadResult loaded;
  Fixture() { loaded = load_dump_text(catalog, kDump, "fixture"); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  RuleLoadResult r = parse_rule_text(text, "fuzz.yaml");
  for (const Diagnostic& d : r.diagnostics) {
    fuzz::require(!d.message.empty(), "rule diagnostics carry a message");
    fuzz::require(d.format().find('\n') == std::string::npos, "a diagnostic is one line");
  }
  if (!r.ok()) {
    fuzz::require(r.rules.empty(), "a file with errors loads no rule");
    return 0;
  }
  // Through the collecting loader too: unique ids, same verdict.
  RuleLoader loader;
  loader.add_text(text, "fuzz.yaml");
  std::vector<Diagnostic> notes;
  auto set = RuleSet::build(loader.take_rules(), {}, &notes, loader.roles());
  if (!set) return 0;
  ClassifyOptions options;
  for (const Snapshot& s : fixture.loaded.snapshots) {
    std::vector<Finding> findings = find_leaks(s, fixture.catalog, *set, options);
    uint64_t covered = 0;
    for (const Finding& f : findings) covered += f.count;
    (void)covered;
  }
  return 0;
}
