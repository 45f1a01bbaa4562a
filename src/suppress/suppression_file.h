// Baseline and suppression files: YAML lists of findings a team has seen and
// accepted. `gorleak baseline write` writes one from today's findings; people
// write one by hand to accept a finding with a reason and an expiry date.
// Both are the same format, documented as an interface in docs/baseline.md:
//
//   version: 1
//   suppressions:
//     - fingerprint: 8c1f0e2d4b6a7981      # report/fingerprint.h
//       rule: chan-send-blocked            # beside a fingerprint: for the reader
//       site: main.fetchFirst.func1
//       reason: known, fixed in #123
//       expires: 2026-03-31                # optional, YYYY-MM-DD; from that day on
//                                          # the entry no longer applies
//     - rule: sleep-poller                 # no fingerprint: rule + leak-site function
//       site: example.com/app.(*Poller).run
//       reason: polls by design
//
// Loading reports every problem as one `file:line:col: message` Diagnostic
// (read/yaml_tree.h), and a file with an error contributes no entry. JSON
// is YAML too, so a baseline converted to JSON still loads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"

namespace gorleak {

inline constexpr uint64_t kSuppressionFileVersion = 1;

struct Suppression {
  std::string fingerprint;  // 16 hex digits; empty: match on rule + site
  std::string rule;
  std::string site;  // leak-site function, exactly as reports print it
  std::string reason;
  std::optional<std::chrono::year_month_day> expires;
  // Written by `baseline write` for the reader; never matched on.
  uint64_t count = 0;
  std::string location;  // "main.go:33"
  // Where the entry is, for messages.
  std::string file;
  uint64_t line = 0;
  uint32_t column = 0;
};

struct SuppressionFile {
  std::string path;
  std::vector<Suppression> entries;
};

// Parses one file's text; `name` is used in diagnostics. False + *error on
// any problem (out->entries is then empty).
bool parse_suppression_text(std::string_view text, const std::string& name, SuppressionFile* out,
                            Diagnostic* error);
bool load_suppression_file(const std::string& path, SuppressionFile* out, Diagnostic* error);

// "YYYY-MM-DD" (a real calendar day) → date; false otherwise.
bool parse_date(std::string_view text, std::chrono::year_month_day* out);
std::string format_date(const std::chrono::year_month_day& d);
std::chrono::year_month_day today_utc();

// The YAML text of a baseline holding `entries` (their file/line ignored),
// with a comment saying where it came from. Written through yaml-cpp's
// emitter, so every value is quoted as YAML needs.
std::string baseline_yaml(const std::vector<Suppression>& entries, std::string_view comment);

}  // namespace gorleak
