// A read-only mapping of part of a regular file, guarded against the file
// shrinking under it (read/truncation_guard.h). The mapped-file source maps
// one window after another with it; the split loader holds several at once,
// one per block in flight (pipeline/block_reader.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "read/truncation_guard.h"

namespace gorleak {

class MappedRegion {
 public:
  MappedRegion() = default;
  ~MappedRegion();
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;

  // Maps `size` (> 0) bytes of `fd` from `offset`, which need not be page
  // aligned. Nothing may be mapped yet: release() first, it has news. False
  // when this cannot map (no free guard slot, mmap refused): the caller
  // reads those bytes with pread() instead.
  bool map(int fd, uint64_t offset, size_t size);
  bool mapped() const { return base_ != nullptr; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }

  // Unmaps (if mapped). False when the file shrank under the mapping: some
  // of the bytes read from it were zeros standing in for lost ones.
  bool release();

 private:
  TruncationGuard guard_;
  void* base_ = nullptr;
  size_t span_ = 0;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// What a reader does where MappedRegion::map() cannot: one pread() of up
// to n bytes at `offset`, retried when a signal interrupts it. Returns the
// count, 0 at end of file, or -1 with *error set.
long pread_at(int fd, char* buf, size_t n, uint64_t offset, std::string* error);

// The error a reader reports when release() returns false.
inline constexpr const char* kFileShrankError = "the file shrank while it was being read";

}  // namespace gorleak
