// Helpers for tests against live servers: finding a Go toolchain, building
// a Go program once (binaries cached under /tmp by toolchain and source),
// and running a process with its stdout read line by line, in its own
// process group that is killed when the Process goes away. Every wait is
// bounded.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "go_support.h"
#include "test_support.h"

namespace gorleak::test {

// 27 for "go version go1.27.1 linux/amd64"; 0 when it cannot tell.
int go_minor(const std::filesystem::path& go);

// Builds the Go package in `dir` (a module, or GOPATH mode with
// `extra_env`); returns the binary, or nullopt with the build log in *log.
std::optional<std::filesystem::path> build_go_program(const std::filesystem::path& go,
                                                      const std::filesystem::path& dir,
                                                      std::string* log);

class Process {
 public:
  // Starts argv (argv[0] a path) with stdout on a pipe and stderr in
  // `stderr_file` (or /dev/null), in a new process group.
  explicit Process(const std::vector<std::string>& argv, const std::string& stderr_file = "");
  ~Process();  // SIGKILL to the group, then reaped
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Reads stdout until a line starting with `prefix` (returned), for at
  // most `seconds`; nullopt on timeout or end of output.
  std::optional<std::string> wait_for_line(const std::string& prefix, double seconds);
  // Reads until `n` lines starting with `prefix` have come, for at most
  // `seconds`; how many came.
  size_t wait_for_lines(const std::string& prefix, size_t n, double seconds);
  // Lines read so far.
  const std::vector<std::string>& lines() const { return lines_; }
  void signal(int sig);
  // Waits for the exit, reading stdout on the way; the exit code (128+N on
  // signal N), or -1 when still running after `seconds`.
  int wait(double seconds);

 private:
  bool read_some(int timeout_ms);  // false at end of output
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string partial_;
  std::vector<std::string> lines_;
  int status_ = -1;
};

// A corpus-protocol program (corpus/README.md) running: its address and
// the GORLEAK-EXPECT lines it printed, parsed like a .expect file.
struct LiveProgram {
  std::unique_ptr<Process> process;
  std::string addr;  // 127.0.0.1:PORT
  std::vector<std::map<std::string, std::string>> expect;
};
// Starts `binary args…` and waits (bounded) for GORLEAK-READY; on failure
// `addr` is empty and `process` holds what it printed.
LiveProgram start_program(const std::filesystem::path& binary, const std::vector<std::string>& args = {});
// GORLEAK-EXPECT lines printed since line `from` (phase switches print more).
std::vector<std::map<std::string, std::string>> expect_lines(const Process& p, size_t from = 0);

// The body of a GET (gorleak's own fetch/http_source.h), or nullopt when
// the server did not answer 2xx within 60 s: for switching a program's
// phase, not for what a test checks.
std::optional<std::string> http_get_text(const std::string& url);

}  // namespace gorleak::test
