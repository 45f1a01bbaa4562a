#include "report/report_writer.h"

namespace gorleak {

namespace {

const ReportContext& empty_context() {
  static const ReportContext none;
  return none;
}

}  // namespace

ReportInput::ReportInput(const std::vector<Snapshot>& snapshots_, const Catalog& catalog_,
                         const ReportOptions& options_, const GroupFilter& filter,
                         size_t default_top, const ReportContext* context_)
    : snapshots(snapshots_),
      catalog(catalog_),
      options(options_),
      filter(filter),
      stacks(catalog_, options_.modules),
      context(context_ ? *context_ : empty_context()) {
  size_t top = options.top.value_or(default_top);
  selections.reserve(snapshots.size());
  for (const Snapshot& s : snapshots) selections.push_back(select_groups(s, catalog, filter, top));
}

std::optional<int64_t> ReportInput::time_of(size_t snapshot) const {
  if (snapshot < context.times.size()) return context.times[snapshot];
  return std::nullopt;
}

void SnapshotWriter::begin(const ReportInput&, ReportOutput&) {}
void SnapshotWriter::end(const ReportInput&, ReportOutput&) {}

void write_snapshots(SnapshotWriter& writer, const ReportInput& in, ReportOutput& out) {
  writer.begin(in, out);
  for (size_t i = 0; i < in.snapshots.size(); ++i) {
    writer.snapshot(in, i, out);
    out.flush_if_due();
  }
  writer.end(in, out);
  out.flush();
}

}  // namespace gorleak
