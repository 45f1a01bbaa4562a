// The machine report: {"schema_version": 1, "snapshots": [...]} with the
// schema documented in docs/output.md. Deterministic: the same input and
// options give byte-identical output.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/snapshot.h"
#include "report/group_filter.h"
#include "report/json_writer.h"
#include "report/report_options.h"

namespace gorleak {

inline constexpr int kJsonSchemaVersion = 1;

// With a `sink`, the report streams to it as it is written (peak memory does
// not grow with the report's size) and *out only ever holds a small tail.
void write_json_report(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                       const ReportOptions& options, const GroupFilter& filter,
                       std::string* out, std::FILE* sink = nullptr);

// The pieces, for other JSON outputs (diff, trend) that embed them.
void write_json_snapshot(JsonWriter& w, const Snapshot& snapshot, const Catalog& catalog,
                         const ReportOptions& options, const GroupFilter& filter);
void write_json_group(JsonWriter& w, const Snapshot& snapshot, uint32_t group_index,
                      const Catalog& catalog, const ReportOptions& options);
void write_json_finding(JsonWriter& w, const Finding& finding, const Catalog& catalog);
// {"func","file","line"} or null when the function is unknown.
void write_json_site(JsonWriter& w, const Catalog& catalog, StrId func, StrId file,
                     uint32_t line);

}  // namespace gorleak
