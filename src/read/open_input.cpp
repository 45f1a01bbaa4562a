#include "read/open_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "read/mapped_file_source.h"

namespace gorleak {

OpenedInput open_input(const std::string& path, size_t map_window_bytes) {
  OpenedInput in;
  in.error.severity = Severity::kError;
  in.error.file = path;
  if (path == "-") {
    in.source = make_fd_source(STDIN_FILENO, /*owns_fd=*/false);
    return in;
  }
  // O_NONBLOCK so that opening a FIFO with no writer does not hang here;
  // it is cleared again before reading.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    in.error.message = errno == ENOENT ? "no such file"
                       : errno == EACCES ? "permission denied"
                                         : std::strerror(errno);
    return in;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    in.error.message = std::strerror(errno);
    ::close(fd);
    return in;
  }
  if (S_ISDIR(st.st_mode)) {
    in.error.message = "is a directory, not a dump file";
    ::close(fd);
    return in;
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  // A size of 0 says nothing for /proc files, which have content: read()
  // finds out.
  if (S_ISREG(st.st_mode) && st.st_size > 0)
    in.source = make_mapped_file_source(fd, /*owns_fd=*/true, map_window_bytes);
  else
    in.source = make_fd_source(fd, /*owns_fd=*/true);
  return in;
}

}  // namespace gorleak
