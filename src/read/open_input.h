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

// A regular file with a size is served in place (read/mapped_file_source.h):
// through mmap windows of `map_window_bytes`, or with pread() when it is 0.
// Anything else (pipes, /proc files, stdin) is read with read().
OpenedInput open_input(const std::string& path, size_t map_window_bytes);

}  // namespace gorleak
