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

namespace gorleak::cli {

namespace po = boost::program_options;

struct RuleOptions {
  std::vector<std::string> rule_paths;  // --rules FILE|DIR
  bool no_builtin = false;
  std::vector<std::string> disabled;    // --disable ID
  std::string fail_on;                  // --fail-on SEVERITY
  std::vector<std::string> ignore_top, ignore_any, ignore_created_by;
  std::vector<std::string> source_roots;  // --source-root DIR
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
};

// Loads the built-in and --rules files. On a bad rule file or option, prints
// `file:line:col: message` lines and returns null (exit code 2).
std::unique_ptr<RuleEngine> load_rule_engine(const RuleOptions& o,
                                             const std::vector<std::string>& modules);

// Fills every snapshot's findings.
void classify_all(RuleEngine& engine, const Catalog& catalog, std::vector<Snapshot>& snapshots);

// --fail-on: kExitFindings when some finding is at or above the threshold.
// `threshold_ok` false: the option's value was bad (already reported).
bool parse_fail_on(const std::string& value, RuleSeverity* out);
bool any_finding_at_or_above(const std::vector<Snapshot>& snapshots, RuleSeverity s);

}  // namespace gorleak::cli
