// The rule options shared by analyze and `rules`: which rules to load, what
// to ignore, where the sources are, and the --fail-on CI gate.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "classify/classifier.h"
#include "classify/rule_set.h"
#include "classify/source_lookup.h"
#include "model/catalog.h"
#include "model/snapshot.h"
#include "diff/snapshot_diff.h"
#include "diff/verdict.h"
#include "report/report_options.h"
#include "suppress/suppressor.h"
#include "watch/target_series.h"

namespace gorleak::cli {

namespace po = boost::program_options;

struct RuleOptions {
  std::vector<std::string> rule_paths;  // --rules FILE|DIR
  bool no_builtin = false;
  std::vector<std::string> disabled;    // --disable ID
  std::string fail_on;                  // --fail-on SEVERITY
  std::vector<std::string> ignore_top, ignore_any, ignore_created_by;
  std::vector<std::string> source_roots;  // --source-root DIR
  std::vector<std::string> baselines;     // --baseline FILE
  bool no_source = false;                 // --no-source: read no source at all
};

void add_rule_options(po::options_description& desc, RuleOptions* o);
// --rules/--no-builtin/--disable only (for `rules list/explain`).
void add_rule_selection_options(po::options_description& desc, RuleOptions* o);

// Loaded, compiled rules plus what classification needs at run time.
struct RuleEngine {
  std::unique_ptr<RuleSet> rules;
  std::unique_ptr<SourceLookup> source;
  ClassifyOptions options;
  std::unique_ptr<Suppressor> suppressor;  // --baseline files; none: accepts nothing
};

// Loads the built-in and --rules files. On a bad rule file or option, prints
// `file:line:col: message` lines and returns null (exit code 2).
std::unique_ptr<RuleEngine> load_rule_engine(const RuleOptions& o,
                                             const std::vector<std::string>& modules);

// Checks the values that need no file (--fail-on), before any dump is read:
// false + a one-line message naming the bad value.
bool check_rule_options(const RuleOptions& o, std::string* error);
// --fail-on growth: the gate of the commands that compare dumps.
bool is_growth_gate(std::string_view fail_on);

// Fills every snapshot's findings, fingerprints them and takes out those the
// baselines accept (Snapshot::suppressed_findings counts them).
void classify_all(RuleEngine& engine, const Catalog& catalog, std::vector<Snapshot>& snapshots);
// The last two steps for findings computed elsewhere (diff): returns how
// many the baselines took out.
uint64_t settle_findings(RuleEngine& engine, std::vector<Finding>& findings,
                         const Snapshot& snapshot, const Catalog& catalog);

// The --fail-on gate over the findings left after suppression (before
// --min-severity, which only hides): empty when none is at or above
// `threshold`, else why the gate fails, one line for print_error, e.g.
// "1 finding at or above high: chan-send-blocked at main.go:206".
std::string fail_on_gate(const std::vector<const Finding*>& findings, RuleSeverity threshold,
                         const Catalog& catalog, uint64_t suppressed);
std::vector<const Finding*> all_findings(const std::vector<Snapshot>& snapshots);

// The --fail-on gate of a command that compares dumps (diff, trend, probe,
// watch, history): why it fails, one line, or "" when it passes. A severity
// fails on a finding at or above it (fail_on_gate); `growth` on a likely
// leak (diff/verdict.h). Exit kExitFindings when it fails.
std::string series_gate(const RuleOptions& o, const std::vector<Finding>& findings,
                        size_t likely_leaks, const Catalog& catalog, uint64_t suppressed);
// What diff, probe and trend do with the last dump's findings before the
// report: fingerprints and baselines (settle_findings), the --fail-on gate
// over what is left (series_gate, returned), then --min-severity.
std::string settle_series_findings(RuleEngine& engine, const RuleOptions& o,
                                   const SnapshotDiff& diff, size_t focus, LeakBasis basis,
                                   const ReportOptions& report, std::vector<Finding>* findings,
                                   uint64_t* suppressed);
// The same over watched targets (watch, history): the newest sample's
// findings of each, and the groups that grow on any.
int targets_exit_code(const RuleOptions& o, const std::vector<const TargetSeries*>& targets);

}  // namespace gorleak::cli
