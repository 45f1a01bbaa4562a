// A classified leak: what the classify stage concludes about some groups of
// a snapshot, in the terms a person acts on (where, how many, how to fix).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/state.h"
#include "model/strings.h"

namespace gorleak {

enum class RuleSeverity : uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view severity_name(RuleSeverity s);  // "info" … "critical"
bool severity_from_name(std::string_view name, RuleSeverity* out);

enum class Confidence : uint8_t { kUnconfirmed, kLow, kMedium, kHigh };
std::string_view confidence_name(Confidence c);  // "unconfirmed" … "high"

struct SourceSite {
  StrId func = 0;  // 0 when unknown
  StrId file = 0;
  uint32_t line = 0;
};

struct Finding {
  std::string rule;   // rule id, e.g. "chan-send-blocked"
  std::string title;
  RuleSeverity severity = RuleSeverity::kMedium;
  Confidence confidence = Confidence::kMedium;
  uint64_t count = 0;  // goroutines covered
  std::string state;   // raw wait reason of the largest group
  StateCategory category = StateCategory::kUnknown;
  int64_t min_wait = -1;
  int64_t max_wait = -1;
  SourceSite site;        // first frame of the user's code (the leak site)
  bool site_in_stdlib = false;  // no user frame: site is the stdlib entry point
  SourceSite blocking;    // innermost frame
  SourceSite created_by;
  std::vector<uint32_t> groups;  // indices into Snapshot::groups
  std::string evidence;   // why the rule fired, one or two sentences
  std::string description;
  std::string fix;
  bool growth_confirmed = false;  // set by diff when the groups grew
};

}  // namespace gorleak
