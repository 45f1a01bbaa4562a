// Opening what the user named: a path or "-" for stdin. Refuses what cannot
// be a dump (directory, missing, unreadable) with a one-line Diagnostic.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "model/diagnostic.h"
#include "read/byte_source.h"

namespace gorleak {

struct OpenedInput {
  std::unique_ptr<ByteSource> source;  // null when `error` is set
  Diagnostic error;
};

// A regular file with a size is read through mmap windows of
// `map_window_bytes` (read/mapped_file_source.h), anything else with read();
// 0 means read() always.
OpenedInput open_input(const std::string& path, size_t map_window_bytes);

}  // namespace gorleak
