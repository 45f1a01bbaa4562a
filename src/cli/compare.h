// What `diff` and `probe` share after their dumps are loaded: the
// comparison options (thresholds, the growth rule, output, rules), and
// comparing, classifying the last dump with growth, and writing the report
// in the chosen format. One place, so a probe's report is a diff's report.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/options.h"
#include "cli/rule_options.h"
#include "diff/same_object.h"
#include "diff/snapshot_diff.h"
#include "report/format.h"

namespace gorleak::cli {

struct CompareArgs {
  OutputOptions output;  // --format and --graph among them
  RuleOptions rules;
  DiffThresholds thresholds;
  GrowthRule growth;
  size_t spawned = 10;
};

// The output options of diff's formats (report/format.h), --min-load-growth,
// --stay-fraction, --min-growth, --spawned and the rule options.
void add_compare_options(po::options_description& desc, CompareArgs* a);
// --min-growth alone (trend, watch, history).
void add_growth_option(po::options_description& desc, GrowthRule* g);
// Checks the values and looks the format up; false with a one-line message.
bool make_compare_options(const CompareArgs& a, ReportOptions* report, const Format** format,
                          std::string* error);

// Compares `dumps` and writes the report to stdout. `hints`: the
// same-object hints of the last dump (may be null). Returns the exit code
// (--fail-on, or kExitUsage when the rules or stdout fail).
int write_comparison(std::vector<DiffDump> dumps, const std::vector<SameObjectHint>* hints,
                     const CompareArgs& args, const ReportOptions& report, const Format& format);

}  // namespace gorleak::cli
