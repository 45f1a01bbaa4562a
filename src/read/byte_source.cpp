#include "read/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <zlib.h>

namespace gorleak {

ByteSource::~ByteSource() = default;

long ByteSource::next_window(const char** data, std::string* error) {
  // 1 MiB: few enough calls, and a window the parser reads while most of
  // it is still in the cache it was copied into.
  constexpr size_t kWindowBytes = size_t{1} << 20;
  // Not zeroed: at the end of input read() writes nothing, and the
  // buffer's pages are never touched.
  if (!window_) window_.reset(new char[kWindowBytes]);
  *data = window_.get();
  return read(window_.get(), kWindowBytes, error);
}

namespace {

class FdSource : public ByteSource {
 public:
  FdSource(int fd, bool owns) : fd_(fd), owns_(owns) {
#ifdef F_SETPIPE_SZ
    // `curl … | gorleak -`: a 64 KiB pipe means a context switch per 64 KiB
    // on both sides; 1 MiB (the default pipe-max-size) lets the writer run
    // ahead. Best effort: a smaller limit just leaves the pipe as it was.
    struct stat st;
    if (::fstat(fd_, &st) == 0 && S_ISFIFO(st.st_mode)) ::fcntl(fd_, F_SETPIPE_SZ, 1 << 20);
#endif
  }
  ~FdSource() override {
    if (owns_) ::close(fd_);
  }
  long read(char* buf, size_t n, std::string* error) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<long>(r);
      if (errno == EINTR) continue;
      *error = std::strerror(errno);
      return -1;
    }
  }

 private:
  int fd_;
  bool owns_;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : rest_(bytes) {}
  long read(char* buf, size_t n, std::string*) override {
    size_t k = n < rest_.size() ? n : rest_.size();
    std::memcpy(buf, rest_.data(), k);
    rest_.remove_prefix(k);
    return static_cast<long>(k);
  }
  // All of it, in place.
  long next_window(const char** data, std::string*) override {
    *data = rest_.data();
    size_t k = rest_.size();
    rest_ = {};
    return static_cast<long>(k);
  }

 private:
  std::string_view rest_;
};

class ReplaySource : public ByteSource {
 public:
  ReplaySource(std::string head, std::unique_ptr<ByteSource> inner)
      : head_(std::move(head)), inner_(std::move(inner)) {}
  long read(char* buf, size_t n, std::string* error) override {
    if (pos_ < head_.size()) {
      size_t k = std::min(n, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, k);
      pos_ += k;
      return static_cast<long>(k);
    }
    return inner_->read(buf, n, error);
  }
  // The head in place, then the inner source's windows.
  long next_window(const char** data, std::string* error) override {
    if (pos_ < head_.size()) {
      *data = head_.data() + pos_;
      size_t k = head_.size() - pos_;
      pos_ = head_.size();
      return static_cast<long>(k);
    }
    return inner_->next_window(data, error);
  }
  // The head came from the inner source's start.
  std::optional<FileExtent> file() const override { return inner_->file(); }

 private:
  std::string head_;
  size_t pos_ = 0;
  std::unique_ptr<ByteSource> inner_;
};

class GzipSource : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> inner) : inner_(std::move(inner)) {
    std::memset(&zs_, 0, sizeof zs_);
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;  // 32: accept gzip headers
    in_.resize(256 * 1024);
  }
  ~GzipSource() override { inflateEnd(&zs_); }

  long read(char* buf, size_t n, std::string* error) override {
    if (!ok_) {
      *error = "cannot initialise gzip decompression";
      return -1;
    }
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(n);
    while (zs_.avail_out == n) {
      if (zs_.avail_in == 0) {
        if (eof_) {
          if (in_member_) {
            *error = "gzip stream is truncated";
            return -1;
          }
          return 0;
        }
        long r = inner_->read(in_.data(), in_.size(), error);
        if (r < 0) return -1;
        if (r == 0) {
          eof_ = true;
          continue;
        }
        zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
        zs_.avail_in = static_cast<uInt>(r);
      }
      in_member_ = true;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&zs_);  // concatenated members, as `cat a.gz b.gz`
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        *error = std::string("gzip data is corrupt: ") + (zs_.msg ? zs_.msg : "inflate failed");
        return -1;
      }
    }
    return static_cast<long>(n - zs_.avail_out);
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  z_stream zs_;
  std::string in_;
  bool ok_ = false;
  bool eof_ = false;
  bool in_member_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> make_fd_source(int fd, bool owns_fd) {
  return std::make_unique<FdSource>(fd, owns_fd);
}
std::unique_ptr<ByteSource> make_memory_source(std::string_view bytes) {
  return std::make_unique<MemorySource>(bytes);
}
std::unique_ptr<ByteSource> make_gzip_source(std::unique_ptr<ByteSource> inner) {
  return std::make_unique<GzipSource>(std::move(inner));
}
std::unique_ptr<ByteSource> make_replay_source(std::string head,
                                               std::unique_ptr<ByteSource> inner) {
  return std::make_unique<ReplaySource>(std::move(head), std::move(inner));
}

bool read_head(ByteSource& src, size_t n, std::string* out, std::string* error) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    long r = src.read(out->data() + got, n - got, error);
    if (r < 0) {
      out->resize(got);
      return false;
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out->resize(got);
  return true;
}

}  // namespace gorleak
