// `.gorleak.yaml`: a project's defaults for the options a team would
// otherwise repeat on every command line. gorleak looks for it in the
// current directory and then in each directory above (the first found
// wins); `--config FILE` names one, `--no-config` skips it. An option given
// on the command line replaces the file's value (lists too: `--module X`
// replaces the file's `modules`). Relative paths in the file are relative
// to the file's directory. Documented in docs/config.md:
//
//   modules: [example.com/app]       # --module
//   rules: [ci/leak-rules.yaml]      # --rules
//   disable: [sleep-poller]          # --disable
//   ignore:                          # --ignore-top / --ignore-any / --ignore-created-by
//     top: [example.com/app/internal/poll.loop]
//     any: []
//     created_by: []
//   source_roots: [.]                # --source-root
//   baseline: .gorleak-baseline.yaml # --baseline (a string or a list)
//   fail_on: high                    # --fail-on
//   min_severity: low                # --min-severity
//
// A bad file is an error (`file:line:col: message`, exit 2), never ignored.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/options.h"
#include "cli/rule_options.h"
#include "model/diagnostic.h"

namespace gorleak::cli {

inline constexpr const char* kProjectConfigName = ".gorleak.yaml";

struct ConfigOptions {
  std::string path;  // --config FILE
  bool none = false;  // --no-config
};
void add_config_options(po::options_description& desc, ConfigOptions* o);

struct ProjectConfig {
  std::string path;
  std::vector<std::string> modules, rules, disable, ignore_top, ignore_any, ignore_created_by,
      source_roots, baselines;
  std::string fail_on, min_severity;
};

// The nearest `.gorleak.yaml` in `start` or a directory above it; empty
// when there is none.
std::string find_project_config(const std::filesystem::path& start);

bool load_project_config(const std::string& path, ProjectConfig* out, Diagnostic* error);

// Reads the project config (unless --no-config) and copies each value into
// the options the command line left unset (`vm` tells which were given).
// Prints the error and returns false on a bad file.
bool apply_project_config(const ConfigOptions& config, const po::variables_map& vm,
                          RuleOptions* rules, OutputOptions* output);

}  // namespace gorleak::cli
