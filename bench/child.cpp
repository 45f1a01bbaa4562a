#include "child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

extern char** environ;

namespace gorleak::bench {

bool g_cpu_clock = false;

namespace {

double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

uint64_t fnv1a(uint64_t h, const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::vector<char*> c_argv(std::vector<std::string>& args) {
  std::vector<char*> v;
  for (std::string& a : args) v.push_back(a.data());
  v.push_back(nullptr);
  return v;
}

}  // namespace

Timer::Timer() : wall_(Clock::now()), cpu_(process_cpu_seconds()) {}

double Timer::seconds() const {
  return g_cpu_clock ? process_cpu_seconds() - cpu_ : seconds_since(wall_);
}

ChildResult run_child(std::vector<std::string> args, std::optional<std::string> cat_file,
                      bool wall_clock, double timeout_s) {
  ChildResult r;
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return r;
  char err_path[] = "/tmp/gorleak-bench-err-XXXXXX";
  int err_fd = ::mkstemp(err_path);
  ::unlink(err_path);

  // With `cat_file`, the `cat` half of the pipeline starts first and is
  // reaped after.
  int in_fd = -1;
  pid_t cat_pid = -1;
  auto t0 = Clock::now();
  if (cat_file) {
    int in_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) return r;
    std::vector<std::string> cat_args = {"cat", *cat_file};
    auto cargv = c_argv(cat_args);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_pipe[1], 1);
    int rc = posix_spawnp(&cat_pid, "cat", &fa, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in_pipe[1]);
    if (rc != 0) {
      ::close(in_pipe[0]);
      return r;
    }
    in_fd = in_pipe[0];
  } else {
    in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  auto argv = c_argv(args);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out_pipe[1]);
  ::close(in_fd);
  if (rc != 0) {
    ::close(out_pipe[0]);
    if (cat_pid > 0) ::waitpid(cat_pid, nullptr, 0);
    r.err_head = fmt::format("cannot run {}: {}", args[0], std::strerror(rc));
    return r;
  }
  uint64_t h = 0xcbf29ce484222325ULL;
  char buf[1 << 16];
  for (;;) {
    if (timeout_s > 0) {
      double left = timeout_s - seconds_since(t0);
      pollfd p{out_pipe[0], POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left * 1000) + 1) == 0) {
        ::kill(pid, SIGKILL);
        r.timed_out = true;
        break;
      }
    }
    ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    h = fnv1a(h, buf, static_cast<size_t>(n));
    if (r.out_head.size() < 4096)
      r.out_head.append(buf, std::min<size_t>(static_cast<size_t>(n), 4096));
    r.out_bytes += static_cast<uint64_t>(n);
  }
  ::close(out_pipe[0]);
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  r.seconds = r.wall_seconds = seconds_since(t0);
  if (g_cpu_clock && !wall_clock)
    r.seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  if (cat_pid > 0) ::waitpid(cat_pid, nullptr, 0);
  r.ran = true;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.max_rss_kib = static_cast<uint64_t>(ru.ru_maxrss);
  r.out_hash = h;
  if (err_fd >= 0) {
    char eb[512] = {};
    ssize_t n = ::pread(err_fd, eb, sizeof eb - 1, 0);
    if (n > 0) {
      std::string_view e(eb, static_cast<size_t>(n));
      r.err_head = std::string(e.substr(0, e.find('\n')));
    }
    ::close(err_fd);
  }
  return r;
}

std::string human_size(uint64_t b) {
  if (b >= (1ULL << 30)) return fmt::format("{:.2f} GiB", b / (1024.0 * kMiB));
  return fmt::format("{:.0f} MiB", b / kMiB);
}

std::string rss(const ChildResult& r) {
  if (!cli_ok(r)) return "–";
  return fmt::format("{:.0f} MiB", r.max_rss_kib / 1024.0);
}

std::string self_path() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace gorleak::bench
