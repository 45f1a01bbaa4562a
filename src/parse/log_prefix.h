// Per-line prefixes that log collectors put in front of every line of a
// dump: container runtimes (CRI), GitHub Actions and Jenkins timestamps,
// journald, `kubectl logs --prefix`. Once one is seen in front of a dump
// line, the parser strips it from every line that carries it.
#pragma once

#include <cstddef>
#include <string_view>

namespace gorleak {

enum class LogPrefix : unsigned char {
  kNone,
  kCri,        // 2024-01-01T00:00:00.000000000Z stderr F
  kTimestamp,  // 2022-12-25T16:09:45.9555131Z   (GitHub Actions, many CIs)
  kJenkins,    // [2021-10-14T07:19:31.756Z]
  kJournald,   // Oct 01 22:57:16 host prog[19647]:
  kKubectl,    // [pod/name/container]
};

// Length of `kind`'s prefix at the start of `line`, or 0 when absent.
size_t prefix_length(LogPrefix kind, std::string_view line);

// Which prefix, if any, `line` starts with (tried in a fixed order).
LogPrefix detect_prefix(std::string_view line, size_t* length);

std::string_view prefix_name(LogPrefix kind);

}  // namespace gorleak
