// The human report: per snapshot a header, the findings (when the classify
// stage produced any), the state table and the largest groups with their
// stacks, the user's own frame highlighted.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/snapshot.h"
#include "report/group_filter.h"
#include "report/report_options.h"
#include "report/report_writer.h"
#include "report/stack_facts.h"

namespace gorleak {

// `--format text` for analyze (format.h).
std::unique_ptr<SnapshotWriter> make_text_writer();

// Appends the report for every snapshot, in order, to *out.
void write_text_report(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                       const ReportOptions& options, const GroupFilter& filter,
                       std::string* out);

// The pieces, for other text outputs (diff, trend) that show parts of it.
void write_text_snapshot_header(const Snapshot& snapshot, const ReportOptions& options,
                                std::string* out);
void write_text_findings(const Snapshot& snapshot, const Catalog& catalog,
                         const ReportOptions& options, std::string* out);
void write_text_state_table(const Snapshot& snapshot, const ReportOptions& options,
                            std::string* out);
// One group: the summary line, its (folded) stack, created-by and samples.
void write_text_group(const Snapshot& snapshot, uint32_t group_index, const Catalog& catalog,
                      const ReportOptions& options, const StackFacts& stacks, std::string* out);

}  // namespace gorleak
