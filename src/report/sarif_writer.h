// `--format sarif`: SARIF 2.1.0 (OASIS), the format GitHub code scanning and
// most static-analysis viewers read. One run per report; one result per
// finding, placed at the finding's leak site.
//
// The contract (docs/output.md#sarif):
//  - `version` "2.1.0", `$schema` the schemastore URL; one run whose
//    tool.driver is gorleak with every loaded rule in `rules` (id, title as
//    shortDescription, description as fullDescription, the fix as help,
//    helpUri to the rule's YAML file, defaultConfiguration.level from the
//    rule's severity). A result's ruleIndex points into that list.
//  - result.level: critical/high → "error", medium → "warning", low/info →
//    "note". message.text: title, count (in the rule's unit when it has
//    one), state and the evidence. properties carry severity, rule
//    severity, severity_rank, confidence, evidence level and basis, count,
//    the dump it came from and growth_confirmed.
//  - locations[0]: the leak site, file + startLine, plus the function as a
//    logical location. relatedLocations: the blocking frame, the library
//    frame and the created-by site (ids 1, 2, 3) when known and different.
//  - Paths: a dump names files as the build machine saw them. Each is
//    matched against --source-root (default: the checkout, i.e. the git top
//    level above the current directory, else the current directory) by its
//    longest trailing part that exists there
//    (classify/source_lookup.h); a match is written relative to that root
//    with uriBaseId "SRCROOT" (SRCROOT2, … for further roots), and
//    run.originalUriBaseIds gives each root's absolute file: URI. A path
//    that matches nothing is written as it stands: absolute paths as file:
//    URIs, -trimpath paths ("example.com/app/x.go") relative, with a
//    --module prefix removed. Every URI is percent-encoded (uri_escape).
//  - partialFingerprints {"gorleak/v1": finding_fingerprint} (fingerprint.h).
// Deterministic: the same input, options and directory give the same bytes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "report/report_writer.h"

namespace gorleak {

inline constexpr std::string_view kSarifVersion = "2.1.0";
inline constexpr std::string_view kSarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";
inline constexpr std::string_view kSarifFingerprintKey = "gorleak/v1";

// analyze: the findings of every snapshot as results of one run.
std::unique_ptr<SnapshotWriter> make_sarif_writer();
// diff: the last dump's findings, growth-confirmed where the diff says so,
// with the diff's verdict in run.properties.
void write_sarif_diff(const DiffInput& in, ReportOutput& out);

// RFC 3986 escaper for a path or URI path: unreserved characters, '/' and
// the sub-delimiters that are safe in a path stay; every other byte
// (space, '%', '#', '?', controls, bytes ≥ 0x80) becomes %XX. The result is
// always an ASCII URI reference that means exactly the input bytes.
std::string uri_escape(std::string_view path);

}  // namespace gorleak
