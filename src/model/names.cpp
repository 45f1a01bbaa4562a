// Stable names of the model's enums, as they appear in text and JSON output.
#include <fmt/format.h>

#include "model/diagnostic.h"
#include "model/finding.h"
#include "model/heap_profile.h"
#include "model/snapshot.h"

namespace gorleak {

std::string_view form_name(Form f) {
  switch (f) {
    case Form::kDebug1: return "debug1";
    case Form::kDebug2: return "debug2";
    case Form::kCrash: return "crash";
    case Form::kGoroutineLeak: return "goroutineleak";
    case Form::kProto: return "proto";
  }
  return "debug2";
}

std::string_view leak_report_name(LeakReport r) {
  switch (r) {
    case LeakReport::kNone: return "none";
    case LeakReport::kGoleak: return "goleak";
    case LeakReport::kSynctest: return "synctest";
    case LeakReport::kDeadlock: return "deadlock";
  }
  return "none";
}

std::string go_version_bound(uint32_t minor) {
  return minor == 0 ? std::string() : fmt::format("1.{}", minor);
}

std::string go_version_text(const GoVersionRange& r) {
  if (!r.known()) return {};
  if (r.max_minor == 0) return "\u2265" + go_version_bound(r.min_minor);
  if (r.min_minor == 0) return "\u2264" + go_version_bound(r.max_minor);
  if (r.min_minor == r.max_minor) return go_version_bound(r.min_minor);
  return go_version_bound(r.min_minor) + "\u2013" + go_version_bound(r.max_minor);
}

namespace {
constexpr std::string_view kSeverities[] = {"info", "low", "medium", "high", "critical"};
constexpr std::string_view kConfidences[] = {"unconfirmed", "low", "medium", "high"};
constexpr std::string_view kEvidenceLevels[] = {"proof",    "state",   "growth",
                                                "wait",     "spawning", "count",
                                                "suspect",  "pool-like", "withdrawn"};
}  // namespace

std::string_view evidence_level_name(EvidenceLevel e) {
  return kEvidenceLevels[static_cast<size_t>(e)];
}

bool evidence_level_from_name(std::string_view name, EvidenceLevel* out) {
  for (size_t i = 0; i < std::size(kEvidenceLevels); ++i) {
    if (kEvidenceLevels[i] == name) {
      *out = static_cast<EvidenceLevel>(i);
      return true;
    }
  }
  return false;
}

std::string_view severity_name(RuleSeverity s) {
  return kSeverities[static_cast<size_t>(s)];
}

bool severity_from_name(std::string_view name, RuleSeverity* out) {
  // People type "HIGH" and "High" as often as "high".
  auto same = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
      if (c != b[i]) return false;
    }
    return true;
  };
  for (size_t i = 0; i < std::size(kSeverities); ++i) {
    if (same(name, kSeverities[i])) {
      *out = static_cast<RuleSeverity>(i);
      return true;
    }
  }
  return false;
}

std::string_view confidence_name(Confidence c) {
  return kConfidences[static_cast<size_t>(c)];
}

std::string Diagnostic::format() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  if (column == 0) return fmt::format("{}:{}: {}", file, line, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

}  // namespace gorleak

namespace gorleak {

namespace {
constexpr std::string_view kHeapValues[] = {"alloc_objects", "alloc_space", "inuse_objects",
                                            "inuse_space"};
}  // namespace

std::string_view heap_value_name(HeapValue v) { return kHeapValues[static_cast<size_t>(v)]; }

bool heap_value_from_name(std::string_view name, HeapValue* out) {
  for (size_t i = 0; i < kHeapValueCount; ++i) {
    if (kHeapValues[i] != name) continue;
    *out = static_cast<HeapValue>(i);
    return true;
  }
  return false;
}

std::string_view heap_form_name(HeapForm f) { return f == HeapForm::kText ? "text" : "proto"; }

}  // namespace gorleak
