// A small fixed pool: one job at a time, split into chunks that threads claim from an atomic
// counter. Workers wait on a condition variable, never spin.
#include "engine/backend/cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace flowjet {
namespace {

thread_local bool tls_inside_pool = false;

int default_threads() {
  if (const char* env = std::getenv("FLOWJET_THREADS")) {
    int t = std::atoi(env);
    if (t >= 1) return t;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

class ThreadPool {
 public:
  ThreadPool() : threads_(default_threads()) {}
  ~ThreadPool() { stop_workers(); }

  int threads() const { return threads_; }
  void set_threads(int threads) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    if (threads == threads_) return;
    stop_workers();
    threads_ = std::max(1, threads);
  }

  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);  // one job at a time
    ensure_workers();
    int64_t chunks = std::min<int64_t>(threads_ * 4, (n + grain - 1) / grain);
    {
      // A worker that woke late for the previous job may still be looking at its (exhausted) chunks.
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return workers_inside_ == 0; });
      body_ = &body;
      n_ = n;
      chunk_count_ = chunks;
      next_chunk_ = 0;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    work_on_chunks();
    // Every chunk is claimed; wait only for workers still running one, not for sleepers to wake.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return workers_inside_ == 0; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void ensure_workers() {
    if (static_cast<int>(workers_.size()) == threads_ - 1) return;
    stopping_ = false;
    for (int i = 0; i < threads_ - 1; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  void work_on_chunks() {
    bool was_inside = tls_inside_pool;
    tls_inside_pool = true;
    for (;;) {
      int64_t c = next_chunk_.fetch_add(1);
      if (c >= chunk_count_) break;
      int64_t begin = n_ * c / chunk_count_, end = n_ * (c + 1) / chunk_count_;
      try {
        (*body_)(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
    tls_inside_pool = was_inside;
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        ++workers_inside_;
      }
      work_on_chunks();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--workers_inside_ == 0) done_.notify_all();
      }
    }
  }

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex run_mutex_, mutex_;
  std::condition_variable wake_, done_;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  const std::function<void(int64_t, int64_t)>* body_ = nullptr;
  int64_t n_ = 0, chunk_count_ = 0;
  std::atomic<int64_t> next_chunk_{0};
  int workers_inside_ = 0;  // workers between waking for a job and finishing its chunks
  std::exception_ptr error_;
};

ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

}  // namespace

int num_threads() { return pool().threads(); }
void set_num_threads(int threads) { pool().set_threads(threads); }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  if (n <= grain || tls_inside_pool || pool().threads() == 1) {
    body(0, n);
    return;
  }
  pool().run(n, grain, body);
}

}  // namespace flowjet
