// Reads a regular file from an offset, either through bounded mmap windows
// (the line reader parses the page cache's bytes in place, no kernel copy)
// or with pread() into a buffer (no page faults or page walks, and the
// bytes are in the cache when the parser reads them). One window is mapped
// at a time and unmapped before the next, so memory stays at one window
// whatever the size of the file.
//
// Transparently reads with read() instead where mapping is not possible
// (filesystems without mmap, such as sysfs; no free TruncationGuard slot)
// and past the size the file had when the last window was mapped (a file
// that grows is read to its new end, a size that lies is not trusted).
// A file that shrinks under a window is a read error, not a crash
// (read/truncation_guard.h).
#pragma once

#include <cstddef>
#include <memory>

#include "read/byte_source.h"

namespace gorleak {

// Big enough that the per-window cost (mmap, page-table setup, munmap) is
// small; measured in docs/bench.md.
inline constexpr size_t kDefaultMapWindowBytes = size_t{8} << 20;

// `fd` must be a regular file. `window_bytes` may be anything from 1 (tests
// use tiny windows to put boundaries everywhere); 0 never maps: the file is
// read with pread() into a small buffer the parser reads while it is still
// in the cache. Either way the source serves the file in place (file()), so
// a split load reads its blocks straight from the file, the same way
// (FileExtent::map_window_bytes). Which is faster depends on the machine
// (docs/bench.md, "Mapped or read"): in a VM, where every 4 KiB page of a
// mapping costs a nested page walk, reading wins.
std::unique_ptr<ByteSource> make_mapped_file_source(int fd, bool owns_fd, size_t window_bytes);
// Reads `at.fd` from `at.begin` as `at.map_window_bytes` says, without
// taking ownership of it or moving its file offset.
std::unique_ptr<ByteSource> make_mapped_file_source(FileExtent at);

}  // namespace gorleak
