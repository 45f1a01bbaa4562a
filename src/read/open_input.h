// Opening what the user named: a path or "-" for stdin. Refuses what cannot
// be a dump (directory, missing, unreadable) with a one-line Diagnostic.
#pragma once

#include <memory>
#include <string>

#include "model/diagnostic.h"
#include "read/byte_source.h"

namespace gorleak {

struct OpenedInput {
  std::unique_ptr<ByteSource> source;  // null when `error` is set
  Diagnostic error;
};

OpenedInput open_input(const std::string& path);

}  // namespace gorleak
