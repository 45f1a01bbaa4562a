#include "read/save_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <zlib.h>

namespace gorleak {

namespace {

class SaveSource : public ByteSource {
 public:
  SaveSource(std::unique_ptr<ByteSource> inner, std::FILE* plain, gzFile gz)
      : inner_(std::move(inner)), plain_(plain), gz_(gz) {}
  ~SaveSource() override {
    if (plain_) std::fclose(plain_);
    if (gz_) gzclose(gz_);
  }
  long read(char* buf, size_t n, std::string* error) override {
    return keep(buf, inner_->read(buf, n, error), error);
  }
  long next_window(const char** data, std::string* error) override {
    long r = inner_->next_window(data, error);
    return keep(*data, r, error);
  }

 private:
  long keep(const char* data, long r, std::string* error) {
    if (r <= 0) {
      if (r == 0 && !closed_) close_copy(error);
      return closed_failed_ ? -1 : r;
    }
    bool ok = plain_ ? std::fwrite(data, 1, static_cast<size_t>(r), plain_) == static_cast<size_t>(r)
                     : gzwrite(gz_, data, static_cast<unsigned>(r)) == r;
    if (!ok) {
      *error = "cannot write the saved copy (disk full?)";
      return -1;
    }
    return r;
  }
  void close_copy(std::string* error) {
    closed_ = true;
    int rc = plain_ ? std::fclose(plain_) : gzclose(gz_);
    plain_ = nullptr;
    gz_ = nullptr;
    if (rc != 0) {
      *error = "cannot finish the saved copy (disk full?)";
      closed_failed_ = true;
    }
  }

  std::unique_ptr<ByteSource> inner_;
  std::FILE* plain_;
  gzFile gz_;
  bool closed_ = false;
  bool closed_failed_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> make_save_source(std::unique_ptr<ByteSource> inner,
                                             const std::string& path, bool gzip,
                                             std::string* error) {
  std::FILE* plain = nullptr;
  gzFile gz = nullptr;
  if (gzip) gz = gzopen(path.c_str(), "wb6");
  else plain = std::fopen(path.c_str(), "wb");
  if (!plain && !gz) {
    *error = std::string("cannot create ") + path + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::make_unique<SaveSource>(std::move(inner), plain, gz);
}

}  // namespace gorleak
