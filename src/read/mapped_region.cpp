#include "read/mapped_region.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gorleak {

namespace {

uint64_t page_size() {
  static const uint64_t page = [] {
    long p = ::sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<uint64_t>(p) : uint64_t{4096};
  }();
  return page;
}

}  // namespace

MappedRegion::~MappedRegion() { release(); }

bool MappedRegion::map(int fd, uint64_t offset, size_t size) {
  if (base_ != nullptr || size == 0 || !guard_.active()) return false;
  uint64_t base = offset / page_size() * page_size();
  size_t span = static_cast<size_t>(offset - base) + size;
  void* p = ::mmap(nullptr, span, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(base));
  if (p == MAP_FAILED) return false;
  // Faster than MAP_POPULATE here, and pages are mapped as they are
  // reached, so peak RSS grows less (docs/bench.md).
  ::madvise(p, span, MADV_SEQUENTIAL);
  if (!guard_.watch(p, span)) {
    ::munmap(p, span);
    return false;
  }
  base_ = p;
  span_ = span;
  data_ = static_cast<const char*>(p) + (offset - base);
  size_ = size;
  return true;
}

long pread_at(int fd, char* buf, size_t n, uint64_t offset, std::string* error) {
  for (;;) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(offset));
    if (r >= 0) return static_cast<long>(r);
    if (errno == EINTR) continue;
    *error = std::strerror(errno);
    return -1;
  }
}

bool MappedRegion::release() {
  if (base_ == nullptr) return true;
  guard_.unwatch();
  bool shrank = guard_.tripped();
  ::munmap(base_, span_);
  base_ = nullptr;
  data_ = nullptr;
  size_ = 0;
  return !shrank;
}

}  // namespace gorleak
