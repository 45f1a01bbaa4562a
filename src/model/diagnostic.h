// Errors as values: every stage boundary returns problems as Diagnostics
// with a source location, never by throwing through the pipeline.
#pragma once

#include <cstdint>
#include <string>

namespace gorleak {

enum class Severity : uint8_t { kNote, kWarning, kError };

struct Diagnostic {
  Severity severity = Severity::kWarning;
  std::string file;   // input name, "-" for stdin
  uint64_t line = 0;  // 1-based, 0 when not about a line
  uint32_t column = 0;
  std::string message;

  // "file:line: message" (or "file: message"), one line, no severity word.
  std::string format() const;
};

}  // namespace gorleak
