#include "redact/placeholders.h"

#include <fmt/format.h>

#include "model/strings.h"

namespace gorleak {

std::string_view redacted_kind_name(RedactedKind k) {
  switch (k) {
    case RedactedKind::kLabel: return "label value";
    case RedactedKind::kArgument: return "argument";
    case RedactedKind::kPath: return "path";
    case RedactedKind::kFunction: return "function";
    case RedactedKind::kPattern: return "--redact match";
    case RedactedKind::kUser: return "home directory";
  }
  return "value";
}

Placeholders::Placeholders(std::string_view key) : seed_(hash_bytes(key, 0x9e3779b97f4a7c15ULL)) {}

std::string Placeholders::make(RedactedKind kind, std::string_view prefix, std::string_view value) {
  auto key = std::make_pair(kind, std::string(value));
  if (auto it = by_value_.find(key); it != by_value_.end()) return it->second;
  uint64_t h = hash_bytes(value, seed_ ^ (static_cast<uint64_t>(kind) + 1) * 0xff51afd7ed558ccdULL);
  std::string hex = fmt::format("{:016x}", h);
  // 8 digits read well; a collision with another value takes more, and past
  // 16 a second hash: one placeholder, one value.
  for (size_t digits = 8;; ++digits) {
    if (digits > hex.size())
      hex += fmt::format("{:016x}", hash_bytes(value, h + digits));
    std::string p = fmt::format("{}{}", prefix, std::string_view(hex).substr(0, digits));
    auto [it, fresh] = by_placeholder_.emplace(std::make_pair(kind, p), std::string(value));
    if (fresh || it->second == value) {
      by_value_.emplace(std::move(key), p);
      return p;
    }
  }
}

void Placeholders::note(RedactedKind kind, std::string_view original, std::string_view replacement) {
  if (original == replacement) return;
  auto& [to, times] = changes_[{kind, std::string(original)}];
  to = replacement;
  ++times;
}

std::vector<Placeholders::Change> Placeholders::changes() const {
  std::vector<Change> out;
  for (const auto& [key, value] : changes_)
    out.push_back(Change{key.first, key.second, value.first, value.second});
  return out;
}

}  // namespace gorleak
