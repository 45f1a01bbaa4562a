// A strict, small JSON reader for tests (RFC 8259: no trailing commas, no
// control characters in strings, valid escapes and UTF-8, one value only),
// so tests can check that our JSON is valid and look inside it without a
// JSON library or python.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.h"

namespace gorleak::test {

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = kNull;
  bool boolean = false;
  std::string text;  // number as written, or the decoded string
  std::vector<Json> items;                        // array
  std::vector<std::pair<std::string, Json>> members;  // object, in order

  bool is_null() const { return kind == kNull; }
  // Object member (nullptr when absent or not an object).
  const Json* get(std::string_view key) const;
  // Convenience accessors; they throw std::runtime_error on a kind mismatch.
  const Json& at(std::string_view key) const;
  const Json& at(size_t i) const;
  uint64_t u64() const;
  int64_t i64() const;
  const std::string& str() const;
  size_t size() const { return kind == kArray ? items.size() : members.size(); }
};

// Parses `text`. On error returns false and sets *error to "offset N: why".
bool parse_json(std::string_view text, Json* out, std::string* error);
inline bool json_valid(std::string_view text, std::string* error) {
  Json j;
  return parse_json(text, &j, error);
}

// A command's standard output as JSON; a test assertion fails (showing its
// stderr) when it is not.
Json json_of(const RunResult& r);

// The entry of a report's (schema 2) "stacks" table that `group` refers to
// by "stack"; throws like Json::at when there is none.
const Json& report_stack(const Json& doc, const Json& group);

}  // namespace gorleak::test
