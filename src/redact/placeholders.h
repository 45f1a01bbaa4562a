// Stable placeholders for `gorleak redact`: the same value of the same kind
// always becomes the same placeholder, and two different values never
// become one (a collision is detected and lengthened), so groups, diffs and
// same-object hints work on a redacted dump as on the original.
//
// A placeholder is a keyed 64-bit hash of the value (model/strings.h's
// hash_bytes, seeded from the key), printed in hex after a short prefix
// that says what was replaced. The same key gives the same placeholders in
// every run, so two dumps redacted separately still diff. Without a key
// (the default) anyone can test a guess - "is v3f9a1c2e the label value
// 'acme'?" - by redacting a dump of their own: give a secret --key when the
// values could be guessed. This is pseudonymisation, not encryption.
//
// Every placeholder is made of [a-z0-9] after its prefix, so it is a valid
// Go identifier part, an unquoted label value and a path element, and can
// never end a quoted value or a line early.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gorleak {

enum class RedactedKind : uint8_t {
  kLabel,     // label values: "v" + 8 hex
  kArgument,  // argument words: "0x" + 8 hex
  kPath,      // source paths
  kFunction,  // user-module identifiers and packages (--hash-funcs)
  kPattern,   // whatever --redact RE matched: "r" + 8 hex
  kUser,      // the user name in a home directory: "u" + 8 hex
};
std::string_view redacted_kind_name(RedactedKind k);  // "label value", …

class Placeholders {
 public:
  explicit Placeholders(std::string_view key);

  // `prefix` + hex digits of the keyed hash of (kind, value); 8 digits
  // unless a different value of the same kind already has them.
  std::string make(RedactedKind kind, std::string_view prefix, std::string_view value);

  // Records that `original` was printed as `replacement` (for --check):
  // every distinct pair once, with how many times it happened.
  void note(RedactedKind kind, std::string_view original, std::string_view replacement);

  struct Change {
    RedactedKind kind;
    std::string original, replacement;
    uint64_t times = 0;
  };
  // Sorted by kind, then original.
  std::vector<Change> changes() const;

 private:
  uint64_t seed_;
  // (kind, value) -> placeholder, and (kind, placeholder) -> value: the
  // second finds collisions.
  std::map<std::pair<RedactedKind, std::string>, std::string> by_value_;
  std::map<std::pair<RedactedKind, std::string>, std::string> by_placeholder_;
  std::map<std::pair<RedactedKind, std::string>, std::pair<std::string, uint64_t>> changes_;
};

}  // namespace gorleak
