// The split loader's threads: each takes the oldest waiting fragment and
// parses it (pipeline/fragment.h) with its own catalog, which it keeps for
// its next fragments.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/fragment.h"

namespace gorleak {

class WorkerPool {
 public:
  WorkerPool(unsigned workers, GroupBy group_by, size_t max_line_bytes);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned size() const { return static_cast<unsigned>(workers_.size()); }
  // `f` must stay alive until wait(f) returns.
  void submit(Fragment* f);
  void wait(const Fragment* f);

 private:
  void run(FragmentWorker& worker);

  size_t max_line_bytes_;
  std::mutex mu_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::deque<Fragment*> queue_;
  bool stop_ = false;
  std::vector<std::unique_ptr<FragmentWorker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace gorleak
