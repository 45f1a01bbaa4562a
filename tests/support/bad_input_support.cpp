#include "bad_input_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace gorleak::test {

ScratchDir::ScratchDir(const std::string& tag) {
  std::string tpl =
      (std::filesystem::temp_directory_path() / ("gorleak-" + tag + "-XXXXXX")).string();
  if (mkdtemp(tpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  // Restore permissions a test may have taken away, so removal works.
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path ScratchDir::write(const std::string& name, std::string_view bytes) const {
  std::filesystem::path p = path_ / name;
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
  return p;
}

std::string gzip_bytes(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, bytes.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

RunResult run_cli_guarded(const std::vector<std::string>& args, StdinMode stdin_mode,
                          int limit_seconds) {
  char out_tpl[] = "/tmp/gorleak-guarded-out-XXXXXX";
  char err_tpl[] = "/tmp/gorleak-guarded-err-XXXXXX";
  int out_fd = mkstemp(out_tpl), err_fd = mkstemp(err_tpl);
  std::string cli = cli_path();
  std::vector<char*> argv;
  argv.push_back(cli.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    if (stdin_mode == StdinMode::kClosed) {
      close(STDIN_FILENO);
    } else {
      int null_fd = open("/dev/null", O_RDONLY);
      dup2(null_fd, STDIN_FILENO);
    }
    execv(cli.c_str(), argv.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  RunResult r;
  int status = 0;
  // Polling with a coarse sleep: only a guard, so precision does not matter.
  for (int waited_ms = 0;; waited_ms += 20) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (waited_ms >= limit_seconds * 1000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.exit_code = -1;
      break;
    }
    usleep(20 * 1000);
  }
  r.out = read_file(out_tpl);
  r.err = read_file(err_tpl);
  unlink(out_tpl);
  unlink(err_tpl);
  return r;
}

long children_max_rss_kib() {
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  return ru.ru_maxrss;
}

size_t count_lines(std::string_view s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace gorleak::test
