// libFuzzer target: arbitrary bytes as a profile. The first byte picks the
// path: the protobuf decoder (read/pprof_decode.h) directly, or the whole
// front door (sniff, gunzip, the debug=1 heap text parser, the protobuf
// goroutine form); whatever loads as a heap profile then goes through the
// heap rules, both heap reports (the JSON must be valid) and a diff against
// itself. Errors must be one line; nothing may crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "heap/heap_report.h"
#include "parse/pprof_profile.h"
#include "pipeline/load.h"
#include "read/byte_source.h"
#include "report/heap_json_report.h"
#include "report/heap_text_report.h"

namespace {

using namespace gorleak;

void check_one_line(const std::string& message) {
  if (message.find('\n') != std::string::npos) gorleak::fuzz::fail("multi-line error: " + message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (mode & 1) {
    // The decoder alone: every record it hands over must resolve.
    PprofProfile p;
    std::string error;
    auto src = make_memory_source(bytes);
    if (!p.read(*src, &error)) {
      check_one_line(error);
      return 0;
    }
    Catalog c;
    std::vector<Frame> frames;
    for (size_t i = 0; i < p.sample_count(); ++i) p.frames(p.sample(i).stack, c, &frames);
    return 0;
  }
  Catalog catalog;
  LoadResult r = load_dump_text(catalog, bytes, "fuzz");
  for (const Diagnostic& d : r.diagnostics) check_one_line(d.format());
  if (!r.ok || r.heap_profiles.empty()) return 0;
  const RuleSet& rules = gorleak::fuzz::builtin_rules();
  HeapReportOptions o;
  o.top = 0;
  HeapReport report;
  for (const HeapProfile& h : r.heap_profiles) report.profiles.push_back(view_heap_profile(h, catalog, &rules, o));
  std::string text, json;
  write_heap_text(report, {}, catalog, o, &text);
  write_heap_json(report, {}, catalog, o, &json);
  gorleak::fuzz::check_json(json);
  const HeapProfile* p = &r.heap_profiles.front();
  HeapDiffView diff = view_heap_diff({p, p}, catalog, &rules, o);
  for (const HeapDiffRow& row : diff.diff.rows)
    for (int64_t g : row.growth)
      if (g != 0) gorleak::fuzz::fail("a profile differs from itself");
  json.clear();
  write_heap_diff_json(diff, catalog, o, &json);
  gorleak::fuzz::check_json(json);
  return 0;
}
