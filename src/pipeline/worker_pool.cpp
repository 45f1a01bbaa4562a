#include "pipeline/worker_pool.h"

namespace gorleak {

WorkerPool::WorkerPool(unsigned workers, GroupBy group_by, size_t max_line_bytes)
    : max_line_bytes_(max_line_bytes) {
  for (unsigned i = 0; i < workers; ++i)
    workers_.push_back(std::make_unique<FragmentWorker>(i, group_by));
  for (auto& w : workers_) threads_.emplace_back([this, &w] { run(*w); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::submit(Fragment* f) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(f);
  }
  work_ready_.notify_one();
}

void WorkerPool::wait(const Fragment* f) {
  std::unique_lock<std::mutex> lock(mu_);
  work_done_.wait(lock, [f] { return f->parsed; });
}

void WorkerPool::run(FragmentWorker& worker) {
  for (;;) {
    Fragment* f = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_ready_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      f = queue_.front();
      queue_.pop_front();
    }
    f->worker = worker.index;
    try {
      parse_fragment(*f, worker, max_line_bytes_);
    } catch (...) {
      // Out of memory on a worker: the main thread reads the fragment again
      // and reports whatever happens there.
      f->summary.clean = false;
      f->records.clear();
      f->delta = take_delta(worker.catalog, &worker.mark);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      f->parsed = true;
    }
    work_done_.notify_all();
  }
}

}  // namespace gorleak
