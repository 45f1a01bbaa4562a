// Graphviz output (`--format dot`) through Boost.Graph's write_graphviz:
// the goroutine creation tree (`--graph tree`, the default) or the grouped
// call graph (`--graph calls`). Node labels carry goroutine counts and node
// sizes grow with them, so the pile-up is the biggest box in the picture.
// Render with `dot -Tsvg out.dot > out.svg`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "diff/creation_forest.h"
#include "model/catalog.h"
#include "model/snapshot.h"
#include "report/report_writer.h"

namespace gorleak {

struct DotOptions {
  size_t max_groups = 60;  // the largest groups are drawn, plus what links them
  std::vector<std::string> modules;
  // Extra label line per group (the diff puts "0 → 120 stayed" there).
  std::function<std::string(uint32_t group)> annotate;
};

void write_creation_dot(const CreationForest& forest, const DotOptions& options, std::string* out);
void write_calls_dot(const Snapshot& snapshot, const Catalog& catalog, const DotOptions& options,
                     std::string* out);

// `--format dot` for diff (format.h): the last dump's creation tree or call
// graph (ReportOptions::graph), each group annotated with its counts per
// dump and its diff status ("0 → 120 → 118 (stayed)").
void write_diff_dot(const DiffInput& in, ReportOutput& out);

}  // namespace gorleak
