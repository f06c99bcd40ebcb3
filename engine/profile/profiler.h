// The op profiler: per op name, forward and backward separately, how often it ran, how long
// (self time: nested ops are subtracted from the op that called them), how many bytes it read
// and wrote and, for GEMM-like ops, how many floating-point operations it did. Off unless
// FLOWJET_PROFILE=1 is in the environment or a tool was given --profile (enable_profiling());
// when off an op pays one relaxed atomic load. docs/performance.md, "Profiler".
//
// In an op's public function, first line:
//     OpProfileScope scope("linear", {&x, &weight, &bias});   // name, inputs (bytes read)
// and, when the output exists:
//     scope.add_written(y);          // bytes written
//     scope.add_flops(2.0 * M * N * K);   // GEMM-like ops only: gives the GFLOP/s column
// Backward passes are timed by the tape under the name the op recorded.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "engine/tensor/tensor.h"

namespace flowjet {

enum class OpPhase { Forward, Backward };

namespace detail {
extern std::atomic<bool> profiling_flag;
}

/// True while the profiler records.
inline bool profiling_enabled() { return detail::profiling_flag.load(std::memory_order_relaxed); }

/// Starts recording (the wall clock and the page-fault count start now, if not already running)
/// and, with `report_at_exit`, prints profile_report() to stderr when the program exits. Called at
/// start-up when FLOWJET_PROFILE is set to anything but 0, and by the tools' --profile.
void enable_profiling(bool report_at_exit = true);
/// Stops recording; what was recorded stays for profile_report().
void disable_profiling();
/// Forgets everything recorded and restarts the wall clock and the page-fault count.
void reset_profile();
/// The table of every op recorded so far (slowest first), then the allocator's figures.
std::string profile_report();

/// Adds `flops` to the innermost open scope of this thread (nothing when the profiler is off or no
/// scope is open): a backward function, timed by the tape's scope, reports its GEMM work this way.
void add_flops_to_current_op(double flops);

/// Bytes of a tensor's elements (0 for an undefined tensor).
int64_t tensor_bytes(const Tensor& t);

/// Times one op call from construction to destruction. Scopes nest per thread: an op's time
/// excludes the time of the ops it calls, and an op called inside a backward function counts as
/// backward time of its own name.
class OpProfileScope {
 public:
  explicit OpProfileScope(const char* op, OpPhase phase = OpPhase::Forward) : active_(profiling_enabled()) {
    if (active_) open(op, phase);
  }
  /// A forward call that reads `inputs` (undefined tensors count 0).
  OpProfileScope(const char* op, std::initializer_list<const Tensor*> inputs) : OpProfileScope(op) {
    if (active_)
      for (const Tensor* t : inputs) read_ += tensor_bytes(*t);
  }
  ~OpProfileScope() {
    if (active_) close();
  }
  OpProfileScope(const OpProfileScope&) = delete;
  OpProfileScope& operator=(const OpProfileScope&) = delete;

  bool active() const { return active_; }
  void add_bytes(int64_t read, int64_t written) {
    read_ += read;
    written_ += written;
  }
  void add_read(const Tensor& t) {
    if (active_) read_ += tensor_bytes(t);
  }
  void add_written(const Tensor& t) {
    if (active_) written_ += tensor_bytes(t);
  }
  void add_flops(double flops) { flops_ += flops; }

 private:
  void open(const char* op, OpPhase phase);
  void close();

  bool active_;
  const char* op_ = nullptr;
  OpPhase phase_ = OpPhase::Forward;
  OpProfileScope* parent_ = nullptr;
  int64_t start_ns_ = 0;
  int64_t children_ns_ = 0;
  int64_t read_ = 0;
  int64_t written_ = 0;
  double flops_ = 0.0;
};

}  // namespace flowjet
