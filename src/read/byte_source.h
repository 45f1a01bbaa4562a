// Where bytes come from: a file descriptor (file, FIFO, stdin), a gzip
// stream on top of another source, or memory. The line reader pulls from
// one of these in fixed-size chunks, so no input is ever held whole.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace gorleak {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes. Returns the count, 0 at end of input, or -1 with
  // *error set.
  virtual long read(char* buf, size_t n, std::string* error) = 0;
};

std::unique_ptr<ByteSource> make_fd_source(int fd, bool owns_fd);
std::unique_ptr<ByteSource> make_memory_source(std::string_view bytes);
// Decompresses a gzip (or concatenated gzip members) stream.
std::unique_ptr<ByteSource> make_gzip_source(std::unique_ptr<ByteSource> inner);

// Serves `head` first, then the rest of `inner`: lets us sniff the first
// bytes of a pipe without losing them.
std::unique_ptr<ByteSource> make_replay_source(std::string head,
                                               std::unique_ptr<ByteSource> inner);

// Reads up to n bytes (fewer only at end of input) into *out.
bool read_head(ByteSource& src, size_t n, std::string* out, std::string* error);

}  // namespace gorleak
