// Goroutine labels arrive in three spellings: debug=1 `"k":"v", "k2":"v2"`,
// Go 1.26 headers `"k": "v"`, Go 1.27 headers `k: v, k2: "a b"`. Reports
// want one: `k=v, k2=a b`.
#pragma once

#include <string>
#include <string_view>

namespace gorleak {

// Appends the normalised form of `raw` (the text inside the braces) to *out.
void normalize_labels(std::string_view raw, std::string* out);

}  // namespace gorleak
