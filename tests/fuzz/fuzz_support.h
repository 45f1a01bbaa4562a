// Shared by the fuzz targets: the checks that hold for every loaded dump,
// whatever bytes it came from. A broken invariant aborts, so libFuzzer
// records the input as a finding like any sanitizer report.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "classify/rule_set.h"
#include "model/catalog.h"
#include "pipeline/load.h"

namespace gorleak::fuzz {

// Aborts with a message on stderr when `ok` is false.
void require(bool ok, const char* what);

// Group counts add up to the snapshot total, line ranges nest, every id
// points into the catalog, and goroutines with a header each took a line.
void check_load_invariants(const LoadResult& r, const Catalog& catalog);

// Strict RFC 8259 check (one value, valid escapes, no raw control
// characters, valid UTF-8). tests/support/json_check.h does more but does
// not build with clang + libstdc++ (a vector of pairs of an incomplete type).
bool json_valid(std::string_view text, std::string* error);

// What every output format promises whatever the dump held: `format`'s
// output (text, json, jsonl, sarif, html, folded, prometheus, dot) holds no
// control character but newline; JSON and SARIF are valid JSON, JSON Lines
// valid JSON per line; the HTML page keeps exactly its two scripts.
void check_format_output(std::string_view format, std::string_view out);
// json_valid or abort, naming the problem.
void check_json(std::string_view text);

// Aborts with `message` on stderr.
[[noreturn]] void fail(const std::string& message);

// The built-in rules, loaded once.
const RuleSet& builtin_rules();

}  // namespace gorleak::fuzz
