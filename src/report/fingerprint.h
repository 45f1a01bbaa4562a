// A finding's fingerprint: one short string that names "this leak in this
// code" across dumps, so that a baseline (or GitHub code scanning, through
// SARIF's partialFingerprints) recognises a finding it has seen before.
//
// THIS IS AN INTERFACE. Baseline files store these strings; changing what
// goes in changes every fingerprint and un-suppresses every baselined
// finding. Change it only with a new version (kFingerprintVersion) and say
// so in docs/output.md.
//
// Version 1 hashes, in this order:
//   1. the rule id ("chan-send-blocked");
//   2. the leak site's function (Finding::site.func; "" when unknown);
//   3. the function signature (diff/signature.h function_signature) of the
//      stack part from the leak site outwards — the site and its callers,
//      without runtime frames and go/defer wrappers — plus the created-by
//      function. Of the groups the finding covers, the smallest such
//      signature is taken, so the order and sizes of the groups do not
//      matter. When the site is not among a group's frames, all its frames.
// Never hashed: line numbers and file paths (an edit above the site, a
// checkout in another directory, GOPATH against module mode), goroutine ids,
// arguments, counts, wait minutes and the dump form. So the fingerprint
// survives restarts, redeploys that do not touch the leak site, and a
// debug=1 dump compared with a debug=2 one; it changes when the rule, the
// site's function or the chain of calls leading to it changes.
// The leak site depends on --module, so compare fingerprints made with the
// same --module settings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/catalog.h"
#include "model/finding.h"
#include "model/snapshot.h"

namespace gorleak {

inline constexpr int kFingerprintVersion = 1;

// 64-bit value of the fingerprint; `snapshot` holds the finding's groups.
uint64_t finding_fingerprint_value(const Finding& finding, const Snapshot& snapshot,
                                   const Catalog& catalog);
// The same as 16 lowercase hex digits: what reports print and baselines store.
std::string finding_fingerprint(const Finding& finding, const Snapshot& snapshot,
                                const Catalog& catalog);

}  // namespace gorleak
