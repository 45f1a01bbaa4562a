// Helpers for the bad-input catalogue (tests/test_bad_input.cpp): a scratch
// directory, gzip, and running the CLI with a hang guard and more control
// over its standard input than run_cli gives.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.h"

namespace gorleak::test {

// A fresh directory under $TMPDIR, removed with everything in it.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `bytes` to path()/name and returns the full path.
  std::filesystem::path write(const std::string& name, std::string_view bytes) const;

 private:
  std::filesystem::path path_;
};

// gzip (RFC 1952) of `bytes`, one member.
std::string gzip_bytes(std::string_view bytes);

enum class StdinMode {
  kEmpty,   // /dev/null
  kClosed,  // file descriptor 0 closed
};

// Runs the CLI without a shell, killing it after `limit_seconds` (a guard
// against hangs, not a timing assertion): exit_code is -1 when it had to be
// killed.
RunResult run_cli_guarded(const std::vector<std::string>& args, StdinMode stdin_mode,
                          int limit_seconds = 120);

// Peak resident set of any child process waited for so far, in KiB.
long children_max_rss_kib();

// Number of '\n' in `s`.
size_t count_lines(std::string_view s);

}  // namespace gorleak::test
