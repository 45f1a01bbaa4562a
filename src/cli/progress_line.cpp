#include "cli/progress_line.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "diff/creation_forest.h"  // with_thousands

namespace gorleak::cli {

ProgressLine::ProgressLine(std::string label)
    : label_(std::move(label)), enabled_(isatty(STDERR_FILENO) == 1) {
  start_ = last_ = std::chrono::steady_clock::now();
}

ProgressLine::~ProgressLine() {
  if (drawn_) fmt::print(stderr, "\r\033[K");
}

void ProgressLine::update(uint64_t bytes, uint64_t goroutines) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double mb = static_cast<double>(bytes) / 1e6;
  fmt::print(stderr, "\r\033[K{}: {:.1f} MB  {:.1f} MB/s  {} goroutines", label_, mb,
             secs > 0 ? mb / secs : 0.0, with_thousands(goroutines));
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace gorleak::cli
