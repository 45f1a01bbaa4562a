#include "child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "model/hash_primitives.h"

extern char** environ;

namespace gorleak::bench {

bool g_cpu_clock = false;

namespace {

double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

// A hash of a child's output, to tell whether two runs wrote the same
// bytes: eight bytes per step, whatever sizes the pipe hands them over in.
// Byte-wise FNV-1a ran at about 0.7 GB/s here: on a 476 MB report the
// bench itself took most of the second core from the run it measured.
class OutputHash {
 public:
  void add(const char* p, size_t n) {
    bytes_ += n;
    if (pending_ > 0) {
      size_t take = std::min(n, sizeof word_ - pending_);
      std::memcpy(word_ + pending_, p, take);
      pending_ += take;
      p += take;
      n -= take;
      if (pending_ < sizeof word_) return;
      mix(load64(word_));
      pending_ = 0;
    }
    for (; n >= 8; p += 8, n -= 8) mix(load64(p));
    std::memcpy(word_, p, n);
    pending_ = n;
  }

  uint64_t value() const {
    uint64_t tail = 0;
    std::memcpy(&tail, word_, pending_);
    return mum(h_ ^ tail ^ 0xa0761d6478bd642fULL, bytes_ ^ 0xe7037ed1a0b428dbULL);
  }

 private:
  void mix(uint64_t w) { h_ = mum(h_ ^ w ^ 0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL); }

  uint64_t h_ = 0xcbf29ce484222325ULL;
  uint64_t bytes_ = 0;
  char word_[8] = {};
  size_t pending_ = 0;  // bytes of word_ not mixed in yet
};

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
  OutputHash hash;
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
    hash.add(buf, static_cast<size_t>(n));
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
  r.out_hash = hash.value();
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
