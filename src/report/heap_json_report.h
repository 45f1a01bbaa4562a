// The heap reports as JSON: `gorleak heap FILE --format json` ({"kind":
// "heap"}) and `gorleak heap diff --format json` ({"kind": "heap-diff"}),
// schema in docs/output.md. Stacks are written once, in "stacks" (the
// goroutine report's table, report/json_stacks.h), and referred to by id.
// Deterministic: the same input and options give byte-identical output.
#pragma once

#include <string>
#include <vector>

#include "heap/heap_report.h"
#include "model/catalog.h"
#include "model/snapshot.h"

namespace gorleak {

// Changes only when a field is removed or changes meaning.
inline constexpr int kHeapJsonSchemaVersion = 1;

// `snapshots`: the goroutine dumps `report.retention` refers to; their
// findings are written in "goroutine_leaks" with the heap each one holds.
void write_heap_json(const HeapReport& report, const std::vector<Snapshot>& snapshots,
                     const Catalog& catalog, const HeapReportOptions& options, std::string* out);

void write_heap_diff_json(const HeapDiffView& view, const Catalog& catalog,
                          const HeapReportOptions& options, std::string* out);

}  // namespace gorleak
