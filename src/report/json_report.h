// The machine report: {"schema_version": 2, "stacks": [...], "snapshots":
// [...]} with the schema documented in docs/output.md. Each distinct stack is
// written once in "stacks"; groups refer to it by id. Deterministic: the
// same input and options give byte-identical output.
#pragma once

#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/snapshot.h"
#include "report/group_filter.h"
#include "report/json_stacks.h"
#include "report/json_writer.h"
#include "report/report_options.h"
#include "report/report_writer.h"

namespace gorleak {

// 2: frames, elided and the stack's created-by moved from each group to the
// top-level "stacks" table; groups have "stack": id.
inline constexpr int kJsonSchemaVersion = 2;

// `--format json` for analyze (format.h).
std::unique_ptr<SnapshotWriter> make_json_writer();

// With a `sink`, the report streams to it as it is written (peak memory does
// not grow with the report's size) and *out only ever holds a small tail.
void write_json_report(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                       const ReportOptions& options, const GroupFilter& filter,
                       std::string* out, std::FILE* sink = nullptr);

// The pieces. A snapshot shows the groups `shown` (indices into its groups,
// see select_groups), whose stacks must all be in `stacks`.
void write_json_snapshot(JsonWriter& w, const Snapshot& snapshot, const Catalog& catalog,
                         const std::vector<uint32_t>& shown, const JsonStackTable& stacks);
// `edges`: the group's spawn edges (model/spawn_edges.h).
void write_json_group(JsonWriter& w, const Snapshot& snapshot, uint32_t group_index,
                      const Catalog& catalog, const JsonStackTable& stacks,
                      std::span<const SpawnEdge> edges);
// A group's members, into an object the caller opened: its stack as
// "stack": id with a table, else inline as "frames" and "elided" (JSON
// Lines, where each line stands alone).
void write_json_group_fields(JsonWriter& w, const Snapshot& snapshot, uint32_t group_index,
                             const Catalog& catalog, const StackFacts& facts,
                             const JsonStackTable* stacks, std::span<const SpawnEdge> edges);
// [{"func","file","line"}…] innermost first, and the elision object or null.
void write_json_frames(JsonWriter& w, const Stack& stack, const Catalog& catalog);
void write_json_elided(JsonWriter& w, const Stack& stack);
// For other JSON outputs (diff, trend) too. With the snapshot holding the
// finding's groups, "fingerprint" (report/fingerprint.h); without, null.
void write_json_finding(JsonWriter& w, const Finding& finding, const Catalog& catalog,
                        const Snapshot* snapshot);
void write_json_finding_fields(JsonWriter& w, const Finding& finding, const Catalog& catalog,
                               const Snapshot* snapshot);
// {"func","file","line"} or null when the function is unknown.
void write_json_site(JsonWriter& w, const Catalog& catalog, StrId func, StrId file,
                     uint32_t line);

}  // namespace gorleak
