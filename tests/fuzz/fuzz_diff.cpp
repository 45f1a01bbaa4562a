// libFuzzer target: the input is split into dumps (at "\n=====\n", or in
// two halves when there is no separator), each is loaded on its own
// Catalog as the CLI does, and the first snapshot of each is diffed and
// rendered in every diff format. Counts must survive the diff exactly, and
// each output must keep its format's promises (fuzz::check_format_output).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.h"
#include "classify/rule_set.h"
#include "diff/diff_findings.h"
#include "diff/snapshot_diff.h"
#include "fuzz_support.h"
#include "pipeline/load.h"
#include "report/diff_report.h"
#include "report/format.h"

namespace {

using namespace gorleak;

constexpr std::string_view kSeparator = "\n=====\n";
constexpr size_t kMaxDumps = 4;

std::vector<std::string_view> split_dumps(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t at;
  while (parts.size() + 1 < kMaxDumps && (at = text.find(kSeparator)) != std::string_view::npos) {
    parts.push_back(text.substr(0, at + 1));
    text.remove_prefix(at + kSeparator.size());
  }
  if (parts.empty()) {
    parts.push_back(text.substr(0, text.size() / 2));
    text.remove_prefix(text.size() / 2);
  }
  parts.push_back(text);
  return parts;
}

struct Loaded {
  Catalog catalog;
  LoadResult result;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::vector<std::unique_ptr<Loaded>> loads;
  std::vector<DiffDump> dumps;
  for (std::string_view part : split_dumps(text)) {
    auto l = std::make_unique<Loaded>();
    l->result = load_dump_text(l->catalog, part, "dump" + std::to_string(loads.size()));
    fuzz::check_load_invariants(l->result, l->catalog);
    if (!l->result.ok || l->result.snapshots.empty()) return 0;
    dumps.push_back(DiffDump{"dump" + std::to_string(loads.size()),
                             &l->result.snapshots.front(), &l->catalog});
    loads.push_back(std::move(l));
  }

  DiffOptions options;
  if (mode & 1) options.mode = SignatureMode::kExact;
  if (mode & 2) options.mode = SignatureMode::kCrossForm;
  if (mode & 4) options.thresholds.min_load_growth = 0;
  SnapshotDiff diff = diff_snapshots(dumps, options);

  fuzz::require(diff.totals.size() == dumps.size(), "a total per dump");
  fuzz::require(diff.row_of.size() == dumps.size(), "a row map per dump");
  for (size_t d = 0; d < dumps.size(); ++d) {
    const Snapshot& s = *dumps[d].snapshot;
    fuzz::require(diff.totals[d] == s.total, "diff total == snapshot total");
    fuzz::require(diff.row_of[d].size() == s.groups.size(), "every group has a row");
    uint64_t sum = 0;
    for (const DiffRow& row : diff.rows) {
      fuzz::require(row.counts.size() == dumps.size(), "a count per dump");
      sum += row.counts[d];
    }
    fuzz::require(sum == s.total, "row counts add up to the dump total");
    for (uint32_t r : diff.row_of[d]) fuzz::require(r < diff.rows.size(), "row index valid");
    uint64_t by_state = 0;
    for (const auto& per_dump : diff.states) {
      fuzz::require(per_dump.size() == dumps.size(), "state counts per dump");
      by_state += per_dump[d];
    }
    fuzz::require(by_state == s.total, "diff state counts add up");
  }
  for (const DiffRow& row : diff.rows) {
    fuzz::require(row.frames_from.dump < dumps.size() &&
                      row.frames_from.group < dumps[row.frames_from.dump].snapshot->groups.size(),
                  "frames_from points at a group");
    (void)diff.stack(row);
    (void)diff.state(row);
  }

  DiffReport report;
  report.diff = &diff;
  report.focus = dumps.size() - 1;
  if (mode & 8) {
    const Loaded& last = *loads.back();
    GrowthInfo growth = growth_info(diff, report.focus);
    report.findings = find_leaks(last.result.snapshots.front(), last.catalog,
                                 fuzz::builtin_rules(), ClassifyOptions{}, &growth);
    mark_growth_confirmed(diff, report.focus, &report.findings);
    report.classified = true;
  }
  ReportOptions ropt;
  ReportContext context;
  for (const Format& f : formats()) {
    if (!f.supports(FormatUse::kDiff)) continue;
    std::string out;
    ReportOutput output(&out);
    f.diff(DiffInput{report, ropt, context}, output);
    fuzz::check_format_output(f.name, out);
  }
  return 0;
}
