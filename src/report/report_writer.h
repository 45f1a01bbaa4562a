// The one interface every output format is written behind, modelled on
// ripgrep's printer sink: the driver (write_report) selects the groups of
// every snapshot once, through the same GroupFilter and --top, works out the
// per-stack facts once (stack_facts.h), and then pushes the snapshots into
// the format's SnapshotWriter in input order: begin(), snapshot(i) for each,
// end(). A writer only formats: it never decides which groups show or what
// is a leak, and it writes each snapshot (or section) as soon as it is
// ready, through ReportOutput, so a report of any size streams.
//
// `diff` and `trend` are one document each: a format that supports them
// has one function per command in the format table (format.h), fed the
// DiffInput / TrendInput below.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/finding.h"
#include "model/snapshot.h"
#include "report/group_filter.h"
#include "report/report_options.h"
#include "report/report_output.h"
#include "report/stack_facts.h"

namespace gorleak {

struct DiffReport;
struct TrendReport;

// A loaded rule as reports describe it (SARIF's rule table): the CLI fills
// it from the rule set, so the report stage needs no classify headers.
struct RuleInfo {
  std::string id;
  std::string title;
  std::string description;
  std::string fix;
  RuleSeverity severity = RuleSeverity::kMedium;
  std::string file;  // the YAML file it came from
  bool builtin = false;
};

// What the command knows beyond the model: all optional.
struct ReportContext {
  std::vector<RuleInfo> rules;  // every loaded rule, in load order
  // Per snapshot: when the dump was written (its file's modification time,
  // seconds since the epoch), or nullopt (stdin, unknown).
  std::vector<std::optional<int64_t>> times;
};

// The model a format is fed for `analyze`.
struct ReportInput {
  ReportInput(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
              const ReportOptions& options, const GroupFilter& filter, size_t default_top,
              const ReportContext* context = nullptr);

  const std::vector<Snapshot>& snapshots;
  const Catalog& catalog;
  const ReportOptions& options;
  const GroupFilter& filter;  // what `selections` were made with
  // Per snapshot: the groups shown (select_groups with --top, or the
  // format's default when --top is not given).
  std::vector<GroupSelection> selections;
  StackFacts stacks;
  const ReportContext& context;

  std::optional<int64_t> time_of(size_t snapshot) const;
};

// ripgrep's Sink for goroutine dumps. Only snapshot() is required.
class SnapshotWriter {
 public:
  virtual ~SnapshotWriter() = default;
  // Before the first snapshot (JSON writes its stack table here).
  virtual void begin(const ReportInput& in, ReportOutput& out);
  // Snapshot `index` of in.snapshots, with in.selections[index].
  virtual void snapshot(const ReportInput& in, size_t index, ReportOutput& out) = 0;
  // After the last one (closing brackets, totals).
  virtual void end(const ReportInput& in, ReportOutput& out);
};

// Drives `writer` over every snapshot, then flushes the output.
void write_snapshots(SnapshotWriter& writer, const ReportInput& in, ReportOutput& out);

// What a format gets for `gorleak diff`.
struct DiffInput {
  const DiffReport& report;
  const ReportOptions& options;
  const ReportContext& context;
};

// What a format gets for `gorleak trend`.
struct TrendInput {
  const TrendReport& report;  // the trend and the last dump's findings
  const ReportOptions& options;
  const ReportContext& context;
};

}  // namespace gorleak
