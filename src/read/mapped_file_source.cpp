#include "read/mapped_file_source.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "read/truncation_guard.h"

namespace gorleak {

namespace {

constexpr size_t kCopyBytes = size_t{1} << 20;  // the read() buffer, as the line reader's

class MappedFileSource : public ByteSource {
 public:
  MappedFileSource(int fd, bool owns, size_t window)
      : fd_(fd), owns_(owns), window_(std::max<size_t>(window, 1)) {
    off_t at = ::lseek(fd_, 0, SEEK_CUR);
    offset_ = at > 0 ? static_cast<uint64_t>(at) : 0;
    long page = ::sysconf(_SC_PAGESIZE);
    page_ = page > 0 ? static_cast<uint64_t>(page) : 4096;
    mapping_ = guard_.active();
  }
  ~MappedFileSource() override {
    std::string ignored;
    release(&ignored);
    if (owns_) ::close(fd_);
  }

  long read(char* buf, size_t n, std::string* error) override {
    if (!release(error)) return -1;
    return read_at(buf, n, error);
  }

  bool has_windows() const override { return true; }

  long next_window(const char** data, std::string* error) override {
    if (!release(error)) return -1;
    if (mapping_) {
      long n = map_next(data, error);
      if (n != kCannotMap) return n;
      mapping_ = false;  // for good: the rest of the file is read()
    }
    // Not zeroed: at the end of input read() writes nothing, and the
    // buffer's pages are never touched.
    if (!copy_) copy_.reset(new char[kCopyBytes]);
    *data = copy_.get();
    return read_at(copy_.get(), kCopyBytes, error);
  }

 private:
  static constexpr long kCannotMap = -2;

  long map_next(const char** data, std::string* error) {
    struct stat st;
    if (::fstat(fd_, &st) != 0) {
      *error = std::strerror(errno);
      return -1;
    }
    uint64_t size = st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
    // At the size's end read() has the last word: it finds the real end of
    // input, or what was appended since.
    if (size <= offset_) return kCannotMap;
    size_t len = static_cast<size_t>(std::min<uint64_t>(window_, size - offset_));
    uint64_t base = offset_ / page_ * page_;
    size_t span = static_cast<size_t>(offset_ - base) + len;
    void* p = ::mmap(nullptr, span, PROT_READ, MAP_PRIVATE, fd_, static_cast<off_t>(base));
    if (p == MAP_FAILED) return kCannotMap;
    // Faster than MAP_POPULATE here, and the window's pages are mapped as
    // they are reached, so peak RSS grows less (docs/bench.md).
    ::madvise(p, span, MADV_SEQUENTIAL);
    if (!guard_.watch(p, span)) {
      ::munmap(p, span);
      return kCannotMap;
    }
    map_ = p;
    map_span_ = span;
    *data = static_cast<const char*>(p) + (offset_ - base);
    offset_ += len;
    return static_cast<long>(len);
  }

  // Unmaps the current window. False (with *error set) if the file shrank
  // under it: some of its bytes were zeros standing in for lost ones.
  bool release(std::string* error) {
    if (map_ == nullptr) return true;
    guard_.unwatch();
    bool shrank = guard_.tripped();
    ::munmap(map_, map_span_);
    map_ = nullptr;
    if (shrank) {
      *error = "the file shrank while it was being read";
      return false;
    }
    return true;
  }

  long read_at(char* buf, size_t n, std::string* error) {
    for (;;) {
      ssize_t r = ::pread(fd_, buf, n, static_cast<off_t>(offset_));
      if (r >= 0) {
        offset_ += static_cast<uint64_t>(r);
        return static_cast<long>(r);
      }
      if (errno == EINTR) continue;
      *error = std::strerror(errno);
      return -1;
    }
  }

  int fd_;
  bool owns_;
  size_t window_;
  uint64_t page_;
  uint64_t offset_;  // of the next byte to serve
  TruncationGuard guard_;
  bool mapping_;
  void* map_ = nullptr;
  size_t map_span_ = 0;
  std::unique_ptr<char[]> copy_;
};

}  // namespace

std::unique_ptr<ByteSource> make_mapped_file_source(int fd, bool owns_fd, size_t window_bytes) {
  return std::make_unique<MappedFileSource>(fd, owns_fd, window_bytes);
}

}  // namespace gorleak
