// What a report needs to know beyond the model (report_writer.h's
// ReportContext): the loaded rules, for SARIF's rule table, and when each
// dump was written, for JSON Lines and metrics.
#pragma once

#include <string>
#include <vector>

#include "cli/rule_options.h"
#include "model/snapshot.h"
#include "report/report_writer.h"

namespace gorleak::cli {

// `engine` may be null (no rules ran). `sources`: each snapshot's input
// name, in report order; "-" (stdin) and names that are not files get no
// time.
ReportContext make_report_context(const RuleEngine* engine,
                                  const std::vector<std::string>& sources);
std::vector<std::string> snapshot_sources(const std::vector<Snapshot>& snapshots);

}  // namespace gorleak::cli
