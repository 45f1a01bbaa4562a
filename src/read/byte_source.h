// Where bytes come from: a file descriptor (file, FIFO, stdin), a mapped
// regular file (read/mapped_file_source.h), a gzip stream on top of another
// source, or memory. The line reader pulls from one of these in bounded
// windows, so no input is ever held whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gorleak {

// A regular file read in place, from `begin` (read/mapped_file_source.h),
// through mmap windows of `map_window_bytes`, or with pread() when 0.
struct FileExtent {
  int fd = -1;
  uint64_t begin = 0;
  size_t map_window_bytes = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource();
  // Reads up to n bytes. Returns the count, 0 at end of input, or -1 with
  // *error set.
  virtual long read(char* buf, size_t n, std::string* error) = 0;

  // The next bytes of the input, for the line reader: in place where the
  // source already has them in memory (a mapped file, a buffer), otherwise
  // read() into a buffer of the source's own. Sets *data and returns the
  // count, 0 at end of input, or -1 with *error set. The bytes stay valid
  // until the next call on this source (of either kind) or its destruction.
  virtual long next_window(const char** data, std::string* error);

  // For a source that serves a regular file in place: everything it
  // serves, from its first byte, is that file from `begin` on. A reader may
  // then map any parts of the file itself, several at once, instead of
  // reading in order (pipeline/block_reader.h); it must not also read this
  // source.
  virtual std::optional<FileExtent> file() const { return std::nullopt; }

 private:
  std::unique_ptr<char[]> window_;  // the default next_window's buffer
};

std::unique_ptr<ByteSource> make_fd_source(int fd, bool owns_fd);
std::unique_ptr<ByteSource> make_memory_source(std::string_view bytes);
// Decompresses a gzip (or concatenated gzip members) stream.
std::unique_ptr<ByteSource> make_gzip_source(std::unique_ptr<ByteSource> inner);

// Serves `head` first, then the rest of `inner`: lets us sniff the first
// bytes of a pipe without losing them. `head` must be the first bytes
// `inner` served (file() relies on it).
std::unique_ptr<ByteSource> make_replay_source(std::string head,
                                               std::unique_ptr<ByteSource> inner);

// Reads up to n bytes (fewer only at end of input) into *out.
bool read_head(ByteSource& src, size_t n, std::string* out, std::string* error);

}  // namespace gorleak
