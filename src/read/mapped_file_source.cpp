#include "read/mapped_file_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "read/mapped_region.h"

namespace gorleak {

namespace {

class MappedFileSource : public ByteSource {
 public:
  MappedFileSource(int fd, bool owns, size_t window, uint64_t begin)
      : fd_(fd), owns_(owns), window_(window), begin_(begin), offset_(begin),
        mapping_(window > 0) {}
  ~MappedFileSource() override {
    region_.release();
    if (owns_) ::close(fd_);
  }

  long read(char* buf, size_t n, std::string* error) override {
    if (!release(error)) return -1;
    return read_at(buf, n, error);
  }

  long next_window(const char** data, std::string* error) override {
    if (!release(error)) return -1;
    if (mapping_) {
      long n = map_next(data, error);
      if (n != kCannotMap) return n;
      mapping_ = false;  // for good: the rest of the file is read()
    }
    return ByteSource::next_window(data, error);  // read() into a buffer
  }

  std::optional<FileExtent> file() const override { return FileExtent{fd_, begin_, window_}; }

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
    if (!region_.map(fd_, offset_, len)) return kCannotMap;
    *data = region_.data();
    offset_ += len;
    return static_cast<long>(len);
  }

  bool release(std::string* error) {
    if (region_.release()) return true;
    *error = kFileShrankError;
    return false;
  }

  long read_at(char* buf, size_t n, std::string* error) {
    long r = pread_at(fd_, buf, n, offset_, error);
    if (r > 0) offset_ += static_cast<uint64_t>(r);
    return r;
  }

  int fd_;
  bool owns_;
  size_t window_;
  uint64_t begin_;   // of the first byte served
  uint64_t offset_;  // of the next byte to serve
  MappedRegion region_;
  bool mapping_;  // false: pread() only, from the start or since mapping failed
};

}  // namespace

std::unique_ptr<ByteSource> make_mapped_file_source(int fd, bool owns_fd, size_t window_bytes) {
  off_t at = ::lseek(fd, 0, SEEK_CUR);
  return std::make_unique<MappedFileSource>(fd, owns_fd, window_bytes,
                                            at > 0 ? static_cast<uint64_t>(at) : 0);
}

std::unique_ptr<ByteSource> make_mapped_file_source(FileExtent at) {
  return std::make_unique<MappedFileSource>(at.fd, /*owns=*/false, at.map_window_bytes, at.begin);
}

}  // namespace gorleak
