// Reading rule files (YAML, via yaml-cpp) into Rules. Every problem is a
// Diagnostic with `file:line:col` taken from the YAML marks, and a file with
// any error contributes no rule at all: nothing is half-loaded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "classify/rule.h"
#include "model/diagnostic.h"

namespace gorleak {

// Limits that keep a hostile or mistaken file from costing much: those of
// every YAML file gorleak reads (read/yaml_tree.h).
inline constexpr size_t kMaxRuleFileBytes = 4u << 20;  // 4 MiB, = kMaxYamlFileBytes
inline constexpr int kMaxRuleFileDepth = 32;           // nested maps/lists, = kMaxYamlDepth

struct RuleLoadResult {
  std::vector<Rule> rules;
  FunctionRoles roles;
  std::vector<Diagnostic> diagnostics;  // errors; empty when ok
  bool ok() const { return diagnostics.empty(); }
};

// One file's text; `name` is used in diagnostics and RuleOrigin.
RuleLoadResult parse_rule_text(std::string_view text, const std::string& name);

// Collects rules from files, directories (*.yaml / *.yml, sorted) and texts,
// checking ids are unique across everything added. A source that fails adds
// nothing; later sources still get checked so all errors are reported.
class RuleLoader {
 public:
  // `builtin` marks the rules (for `rules list`).
  bool add_path(const std::string& path, bool builtin = false);
  bool add_text(std::string_view text, const std::string& name, bool builtin = false);

  const std::vector<Rule>& rules() const { return rules_; }
  std::vector<Rule> take_rules() { return std::move(rules_); }
  // Every file's function roles, in load order.
  const FunctionRoles& roles() const { return roles_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  bool ok() const { return diagnostics_.empty(); }

 private:
  bool add_file(const std::string& path, bool builtin);
  bool accept(RuleLoadResult result, bool builtin);

  std::vector<Rule> rules_;
  FunctionRoles roles_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace gorleak
