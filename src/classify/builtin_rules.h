// Where the built-in rules come from. In order: $GORLEAK_RULES_DIR (an
// explicit override), <exe>/../share/gorleak/rules (an installed tree), the
// source tree's rules/ (GORLEAK_BUILTIN_RULES_DIR, for development builds),
// and finally the copy embedded into the binary at build time, so a lone
// binary copied to another machine still has its rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "classify/rule_loader.h"

namespace gorleak {

struct EmbeddedRuleFile {
  std::string_view name;  // "channels.yaml"
  std::string_view text;
};
// Generated at build time from rules/*.yaml (empty when not embedded).
std::vector<EmbeddedRuleFile> embedded_rule_files();

// The directory the built-in rules are read from, or "" for the embedded copy.
std::string builtin_rules_dir();

// Adds the built-in rules to `loader` from wherever builtin_rules_dir() says.
bool add_builtin_rules(RuleLoader& loader);

}  // namespace gorleak
