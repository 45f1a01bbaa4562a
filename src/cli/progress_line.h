// The download progress line: "fetching URL: 12.3 MB  41.0 MB/s  8,120
// goroutines", redrawn in place on stderr at most ten times a second and
// erased when done. Only when stderr is a terminal: logs and pipes get
// nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace gorleak::cli {

class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  ~ProgressLine();  // erases the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return enabled_; }
  void update(uint64_t bytes, uint64_t goroutines);

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace gorleak::cli
