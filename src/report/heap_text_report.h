// The heap reports for a terminal: `gorleak heap FILE` (findings, the
// functions and stacks that hold the most, MemStats explained, and the
// heap that goroutine leaks hold when dumps were given too) and `gorleak
// heap diff` (growth per allocation site, retained or churn, stayed or
// drained). Thin writers over heap/heap_report.h: they decide nothing.
#pragma once

#include <string>
#include <vector>

#include "heap/heap_report.h"
#include "model/catalog.h"
#include "model/snapshot.h"

namespace gorleak {

// `snapshots`: the goroutine dumps `report.retention` refers to.
void write_heap_text(const HeapReport& report, const std::vector<Snapshot>& snapshots,
                     const Catalog& catalog, const HeapReportOptions& options, std::string* out);

void write_heap_diff_text(const HeapDiffView& view, const Catalog& catalog,
                          const HeapReportOptions& options, std::string* out);

// "25.6 MiB" for byte values, "6,296" for object counts.
std::string format_heap_value(HeapValue v, int64_t x);

}  // namespace gorleak
