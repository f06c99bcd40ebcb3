// The profiler's table (one entry per op name and phase, merged under a mutex when a scope
// ends), the per-thread stack of open scopes, and the report.
#include "engine/profile/profiler.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "engine/core/dtype.h"
#include "engine/tensor/storage.h"

namespace flowjet {
namespace detail {
std::atomic<bool> profiling_flag{false};
}

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Entry {
  int64_t calls = 0;
  int64_t self_ns = 0;
  int64_t read = 0;
  int64_t written = 0;
  double flops = 0.0;
};

struct PageFaults {
  long minor = 0;
  long major = 0;
};

PageFaults page_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {usage.ru_minflt, usage.ru_majflt};
}

struct Profile {
  std::mutex mutex;
  std::map<std::pair<std::string, OpPhase>, Entry> table;
  int64_t start_ns = 0;
  PageFaults faults_at_start;
  bool started = false;
  bool report_at_exit = false;

  void restart_clock() {
    start_ns = now_ns();
    faults_at_start = page_faults();
  }
};

Profile& profile() {
  static Profile* instance = new Profile();  // never destroyed: the exit report may run late
  return *instance;
}

thread_local OpProfileScope* tls_innermost = nullptr;

const char* phase_name(OpPhase phase) { return phase == OpPhase::Forward ? "forward" : "backward"; }

std::string mebibytes(int64_t bytes) { return fmt::format("{:.1f}", static_cast<double>(bytes) / (1 << 20)); }

std::string human_bytes(int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= double(1ll << 30)) return fmt::format("{:.2f} GiB", b / double(1ll << 30));
  if (b >= double(1 << 20)) return fmt::format("{:.1f} MiB", b / double(1 << 20));
  return fmt::format("{:.1f} KiB", b / 1024.0);
}

void print_report_at_exit() { std::fputs(profile_report().c_str(), stderr); }

// FLOWJET_PROFILE in the environment turns the profiler on before main().
const bool environment_checked = [] {
  const char* value = std::getenv("FLOWJET_PROFILE");
  if (value && *value && std::strcmp(value, "0") != 0) enable_profiling();
  return true;
}();

}  // namespace

int64_t tensor_bytes(const Tensor& t) {
  return t.defined() ? t.numel() * static_cast<int64_t>(dtype_size(t.dtype())) : 0;
}

void enable_profiling(bool report_at_exit) {
  Profile& p = profile();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    if (!p.started) {
      p.restart_clock();
      p.started = true;
    }
    if (report_at_exit && !p.report_at_exit) {
      // The allocator releases its cache at exit through its own atexit handler; creating the
      // allocator first registers that handler first, so it runs after the report.
      allocator_stats(Device::CPU);
      std::atexit(print_report_at_exit);
      p.report_at_exit = true;
    }
  }
  detail::profiling_flag.store(true, std::memory_order_relaxed);
}

void disable_profiling() { detail::profiling_flag.store(false, std::memory_order_relaxed); }

void reset_profile() {
  Profile& p = profile();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.table.clear();
  p.restart_clock();
}

void add_flops_to_current_op(double flops) {
  if (profiling_enabled() && tls_innermost) tls_innermost->add_flops(flops);
}

void OpProfileScope::open(const char* op, OpPhase phase) {
  op_ = op;
  parent_ = tls_innermost;
  // Ops that a backward function calls belong to the backward pass.
  phase_ = parent_ && parent_->phase_ == OpPhase::Backward ? OpPhase::Backward : phase;
  tls_innermost = this;
  start_ns_ = now_ns();
}

void OpProfileScope::close() {
  const int64_t total = now_ns() - start_ns_;
  tls_innermost = parent_;
  if (parent_) parent_->children_ns_ += total;
  Profile& p = profile();
  std::lock_guard<std::mutex> lock(p.mutex);
  Entry& e = p.table[{op_, phase_}];
  e.calls += 1;
  e.self_ns += std::max<int64_t>(0, total - children_ns_);
  e.read += read_;
  e.written += written_;
  e.flops += flops_;
}

std::string profile_report() {
  Profile& p = profile();
  std::vector<std::pair<std::pair<std::string, OpPhase>, Entry>> rows;
  int64_t wall_ns = 0;
  PageFaults faults_at_start;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    rows.assign(p.table.begin(), p.table.end());
    wall_ns = now_ns() - p.start_ns;
    faults_at_start = p.faults_at_start;
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second.self_ns > b.second.self_ns; });
  const double wall_ms = static_cast<double>(wall_ns) * 1e-6;
  std::string out = fmt::format("flowjet profile: {:.1f} ms of wall time since profiling started\n", wall_ms);
  out += fmt::format("{:<24} {:<8} {:>9} {:>11} {:>7} {:>11} {:>11} {:>8}\n", "op", "phase", "calls", "total ms",
                     "% wall", "MiB read", "MiB written", "GFLOP/s");
  Entry sum;
  for (const auto& [key, e] : rows) {
    const double ms = static_cast<double>(e.self_ns) * 1e-6;
    const std::string gflops = e.flops > 0.0 && e.self_ns > 0 ? fmt::format("{:.1f}", e.flops / e.self_ns) : "-";
    out += fmt::format("{:<24} {:<8} {:>9} {:>11.1f} {:>7.1f} {:>11} {:>11} {:>8}\n", key.first,
                       phase_name(key.second), e.calls, ms, wall_ms > 0 ? 100.0 * ms / wall_ms : 0.0,
                       mebibytes(e.read), mebibytes(e.written), gflops);
    sum.calls += e.calls;
    sum.self_ns += e.self_ns;
  }
  const double ops_ms = static_cast<double>(sum.self_ns) * 1e-6;
  out += fmt::format("{:<24} {:<8} {:>9} {:>11.1f} {:>7.1f}\n", "all ops", "", sum.calls, ops_ms,
                     wall_ms > 0 ? 100.0 * ops_ms / wall_ms : 0.0);
  const AllocatorStats a = allocator_stats(Device::CPU);
  const double hit_share = a.allocations > 0 ? 100.0 * a.cache_hits / a.allocations : 0.0;
  out += fmt::format(
      "CPU allocator (since start): {} allocations, {} asked for, {} cache hits ({:.1f}%), peak live {}, "
      "cached now {}, from the system now {}{}\n",
      a.allocations, human_bytes(a.allocated_bytes), a.cache_hits, hit_share, human_bytes(a.peak_bytes),
      human_bytes(a.cached_bytes), human_bytes(a.system_bytes), allocator_cache_enabled() ? "" : " (cache off)");
  const PageFaults faults = page_faults();
  out += fmt::format("page faults since profiling started: {} minor, {} major\n",
                     faults.minor - faults_at_start.minor, faults.major - faults_at_start.major);
  return out;
}

}  // namespace flowjet
