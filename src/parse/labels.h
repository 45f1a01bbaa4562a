// Goroutine labels arrive in three spellings: debug=1 `"k":"v", "k2":"v2"`,
// Go 1.26 headers `"k": "v"`, Go 1.27 headers `k: v, k2: "a b"`. Reports
// want one: `k=v, k2=a b`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gorleak {

// Appends the normalised form of `raw` (the text inside the braces) to *out.
void normalize_labels(std::string_view raw, std::string* out);

// One `key: value` pair of `raw`, as normalize_labels reads it: where its
// value is in `raw` (quotes included when quoted), and the value unquoted.
// A key without a value has an empty span at its end.
struct LabelValue {
  size_t begin = 0;
  size_t end = 0;
  bool quoted = false;
  std::string value;
};
void label_values(std::string_view raw, std::vector<LabelValue>* out);

}  // namespace gorleak
