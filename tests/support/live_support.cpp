#include "live_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>
#include <re2/re2.h>

#include "fetch/http_source.h"
#include "go_support.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace gorleak::test {

namespace {

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int go_minor(const fs::path& go) {
  std::string out;
  TempDir tmp;
  if (run_shell(go_env(tmp.path / "gopath") + "timeout 60 " + shell_quote(go.string()) + " version",
                tmp.path / "version.log", &out) != 0)
    return 0;
  int minor = 0;
  RE2::PartialMatch(out, R"(go1\.(\d+))", &minor);
  return minor;
}

std::optional<fs::path> build_go_program(const fs::path& go, const fs::path& dir,
                                         std::string* log) {
  // Cached by toolchain and source: a binary built by an earlier run (or
  // another test binary) is reused.
  size_t h = std::hash<std::string>{}(go.string());
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".go" || e.path().filename() == "go.mod")
      h = h * 31 + std::hash<std::string>{}(read_file(e.path()));
  fs::path cache = fs::temp_directory_path() / "gorleak-live-bin";
  fs::create_directories(cache, ec);
  fs::path bin = cache / fmt::format("{}-{:016x}", dir.filename().string(), h);
  if (fs::is_regular_file(bin, ec) && access(bin.c_str(), X_OK) == 0) return bin;
  fs::path tmp = cache / fmt::format("{}.{}.tmp", bin.filename().string(), getpid());
  std::string cmd = fmt::format("cd {} && {}timeout 600 {} build -o {} .", shell_quote(dir.string()),
                                go_env(cache / "gopath"), shell_quote(go.string()),
                                shell_quote(tmp.string()));
  if (run_shell(cmd, cache / (bin.filename().string() + ".log"), log) != 0) return std::nullopt;
  fs::rename(tmp, bin, ec);  // atomic: a concurrent build of the same source is harmless
  if (ec) return std::nullopt;
  return bin;
}

Process::Process(const std::vector<std::string>& argv, const std::string& stderr_file) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(fds[1], STDOUT_FILENO);
    int err = open(stderr_file.empty() ? "/dev/null" : stderr_file.c_str(),
                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, STDIN_FILENO);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also here: no race with the child's own call
  close(fds[1]);
  pid_ = pid;
  out_fd_ = fds[0];
}

Process::~Process() {
  if (pid_ > 0 && status_ < 0) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

bool Process::read_some(int timeout_ms) {
  if (out_fd_ < 0) return false;
  pollfd p{out_fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return true;
  char buf[4096];
  ssize_t n = read(out_fd_, buf, sizeof buf);
  if (n <= 0) {
    close(out_fd_);
    out_fd_ = -1;
    if (!partial_.empty()) lines_.push_back(std::move(partial_));
    return false;
  }
  partial_.append(buf, static_cast<size_t>(n));
  size_t nl;
  while ((nl = partial_.find('\n')) != std::string::npos) {
    lines_.push_back(partial_.substr(0, nl));
    partial_.erase(0, nl + 1);
  }
  return true;
}

std::optional<std::string> Process::wait_for_line(const std::string& prefix, double seconds) {
  auto start = std::chrono::steady_clock::now();
  size_t checked = 0;
  for (;;) {
    for (; checked < lines_.size(); ++checked)
      if (lines_[checked].rfind(prefix, 0) == 0) return lines_[checked];
    if (since(start) > seconds) return std::nullopt;
    if (!read_some(100) && checked == lines_.size()) return std::nullopt;
  }
}

size_t Process::wait_for_lines(const std::string& prefix, size_t n, double seconds) {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    size_t have = 0;
    for (const std::string& l : lines_) have += l.rfind(prefix, 0) == 0;
    if (have >= n || since(start) > seconds) return have;
    if (!read_some(100)) return have;
  }
}

void Process::signal(int sig) {
  if (pid_ > 0 && status_ < 0) kill(-pid_, sig);
}

int Process::wait(double seconds) {
  if (pid_ <= 0) return -1;
  auto start = std::chrono::steady_clock::now();
  while (status_ < 0) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (since(start) > seconds) return -1;
    if (!read_some(50)) usleep(20000);
  }
  while (read_some(0)) {
  }
  return status_;
}

LiveProgram start_program(const fs::path& binary, const std::vector<std::string>& args) {
  LiveProgram p;
  std::vector<std::string> argv{binary.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  p.process = std::make_unique<Process>(argv);
  // Programs check their own counts before READY (corpus/README.md); a
  // loaded CI machine can take a while.
  auto ready = p.process->wait_for_line("GORLEAK-READY addr=", 90);
  if (!ready) return p;
  p.addr = ready->substr(std::string("GORLEAK-READY addr=").size());
  p.expect = expect_lines(*p.process);
  return p;
}

std::vector<std::map<std::string, std::string>> expect_lines(const Process& p, size_t from) {
  TempDir tmp;
  fs::path file = tmp.path / "expect";
  {
    std::ofstream out(file);
    const std::string prefix = "GORLEAK-EXPECT ";
    for (size_t i = from; i < p.lines().size(); ++i)
      if (p.lines()[i].rfind(prefix, 0) == 0) out << p.lines()[i].substr(prefix.size()) << "\n";
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& row : read_expect(file)) rows.emplace_back(row.begin(), row.end());
  return rows;
}

std::optional<std::string> http_get_text(const std::string& url) {
  HttpResponse r = http_get(url, FetchOptions{});
  if (!r.body) return std::nullopt;
  std::string text, error;
  if (!read_head(*r.body, size_t{64} << 20, &text, &error)) return std::nullopt;
  return text;
}

}  // namespace gorleak::test
