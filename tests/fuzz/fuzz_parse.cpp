// libFuzzer target: arbitrary bytes through the whole front door
// (sniff → gunzip → line reader → parser → grouper), then classify and
// every output format. The first byte picks options so one corpus covers every path;
// the parser itself recognises every dump form from the text.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "classify/classifier.h"
#include "classify/rule_set.h"
#include "fuzz_support.h"
#include "parse/dump_sink.h"
#include "pipeline/load.h"
#include "report/format.h"
#include "report/group_filter.h"
#include "report/json_report.h"
#include "report/text_report.h"

namespace {

using namespace gorleak;

enum ModeBits : uint8_t {
  kGzip = 1,          // compress the rest first: exercises the gzip source
  kShortLines = 2,    // max_line_bytes = 200: exercises overlong lines
  kByFunction = 4,    // group by function
  kReport = 8,        // classify and render every format (fuzz::check_format_output)
  kTwice = 16,        // load again with a fresh catalog: same JSON bytes
  kSplit = 32,        // load again split across threads in 1 KiB blocks: same result
};

// Everything a load says apart from the snapshots' groups.
std::string load_outline(const LoadResult& r) {
  std::string out = std::to_string(r.ok) + " " + std::to_string(r.lines) + " " +
                    std::to_string(r.bytes) + " " + std::to_string(r.snapshots.size()) + "\n";
  for (const Diagnostic& d : r.diagnostics) out += d.format() + "\n";
  for (const Snapshot& s : r.snapshots) {
    out += std::to_string(s.first_line) + "-" + std::to_string(s.last_line) + " " +
           std::to_string(s.skipped_lines) + "\n";
    for (const Diagnostic& d : s.diagnostics) out += d.format() + "\n";
  }
  return out;
}

// Watches the first load with arguments kept (the Grouper alone does not
// ask for them): every frame has its span, inside the text, in order.
class ArgsChecker : public DumpSink {
 public:
  void begin_snapshot(const SnapshotStart&) override {}
  void end_snapshot(const SnapshotEnd&) override {}
  bool wants_args() const override { return true; }
  void goroutine(const Goroutine& g) override {
    fuzz::require(g.args.size() == g.frames.size(), "one argument span per frame");
    uint64_t end = 0;
    for (const ArgSpan& a : g.args) {
      fuzz::require(a.offset >= end && uint64_t{a.offset} + a.length <= g.args_text.size(),
                    "argument spans lie in order inside args_text");
      end = uint64_t{a.offset} + a.length;
    }
  }
};

std::string gzip(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string json_of(std::vector<Snapshot>& snapshots, const Catalog& catalog) {
  ClassifyOptions copt;
  for (Snapshot& s : snapshots) classify(s, catalog, fuzz::builtin_rules(), copt);
  ReportOptions ropt;
  GroupFilter filter;
  std::string error;
  fuzz::require(filter.init(ropt, &error), "default filter");
  std::string out;
  write_json_report(snapshots, catalog, ropt, filter, &out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string compressed;
  if (mode & kGzip) {
    compressed = gzip(text);
    text = compressed;
  }
  LoadOptions options;
  if (mode & kShortLines) options.max_line_bytes = 200;
  if (mode & kByFunction) options.group.group_by = GroupBy::kFunction;

  Catalog catalog;
  ArgsChecker args_checker;
  LoadOptions first = options;
  first.observer = &args_checker;
  LoadResult r = load_dump_text(catalog, text, "fuzz", first);
  fuzz::check_load_invariants(r, catalog);
  if (mode & kSplit) {
    // Whatever the bytes, splitting (without arguments kept) must not
    // change the answer.
    LoadOptions split = options;
    split.jobs = 2;
    split.split_block_bytes = 1024;
    Catalog split_catalog;
    LoadResult s = load_dump_text(split_catalog, text, "fuzz", split);
    const std::string whole = load_outline(r), split_outline = load_outline(s);
    if (whole != split_outline)
      std::fprintf(stderr, "-j 1 says:\n%s-j 2 in 1 KiB blocks says:\n%s", whole.c_str(),
                   split_outline.c_str());
    fuzz::require(whole == split_outline, "a split load says what -j 1 says");
    if (r.ok)
      fuzz::require(json_of(r.snapshots, catalog) == json_of(s.snapshots, split_catalog),
                    "a split load gives byte-identical JSON");
  }
  if (!(mode & kReport) || !r.ok) return 0;

  std::string json = json_of(r.snapshots, catalog);
  std::string error;
  if (!fuzz::json_valid(json, &error)) {
    std::fprintf(stderr, "invalid JSON: %s\n", error.c_str());
    fuzz::require(false, "the JSON report is valid JSON");
  }
  ReportOptions ropt;
  GroupFilter filter;
  fuzz::require(filter.init(ropt, &error), "default filter");
  // Every format of the table, as `gorleak --format F` writes it.
  for (const Format& f : formats()) {
    if (!f.supports(FormatUse::kAnalyze)) continue;
    std::string out;
    ReportOutput output(&out);
    write_report(f, r.snapshots, catalog, ropt, filter, output);
    fuzz::check_format_output(f.name, out);
  }

  if (mode & kTwice) {
    Catalog again_catalog;
    LoadResult again = load_dump_text(again_catalog, text, "fuzz", options);
    fuzz::require(json == json_of(again.snapshots, again_catalog),
                  "the same input gives byte-identical JSON");
  }
  return 0;
}
