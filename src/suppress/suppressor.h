// The suppress stage, between classify and report: takes out of a list of
// findings those a baseline or suppression file accepts, so that every
// report (whatever its format) and the --fail-on gate see only the rest.
// Writers never decide this; they only print the count left behind in
// Snapshot::suppressed_findings.
//
// An entry matches a finding by fingerprint (Finding::fingerprint, set by
// report/fingerprint.h's set_fingerprints), or, without one, by rule id and
// leak-site function. An entry whose `expires` day has come matches nothing
// and is listed by expired(), so the CLI can say so.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "model/catalog.h"
#include "model/diagnostic.h"
#include "model/finding.h"
#include "suppress/suppression_file.h"

namespace gorleak {

class Suppressor {
 public:
  Suppressor(std::vector<SuppressionFile> files, std::chrono::year_month_day today);

  // Removes the findings an entry accepts, keeping the order of the rest and
  // their cause_finding links (a link to a removed finding is dropped; its
  // sentence stays). Returns how many were removed.
  uint64_t apply(std::vector<Finding>* findings, const Catalog& catalog);

  // One warning per expired entry: "FILE:LINE:COL: suppression of … expired
  // on DAY; its findings are reported again".
  std::vector<Diagnostic> expired() const;

  size_t entries() const;  // live and expired

 private:
  bool accepts(const Finding& f, const Catalog& catalog) const;
  std::vector<SuppressionFile> files_;
  std::chrono::year_month_day today_;
};

}  // namespace gorleak
