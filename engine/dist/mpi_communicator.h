// The MPI communicator (built with MPI=1): host buffers, MPI_COMM_WORLD. Every collective is
// non-blocking and polled against a deadline, so a rank that died or hangs ends the whole job with
// MPI_Abort and a message instead of leaving the others waiting forever.
#pragma once

#include "engine/dist/communicator.h"

namespace flowjet::dist {

class MpiCommunicator final : public Communicator {
 public:
  /// Initialises MPI (MPI_THREAD_FUNNELED: only the main thread calls MPI).
  explicit MpiCommunicator(double timeout_seconds);
  /// Finalises MPI, unless an exception is unwinding (then another rank may still wait in a
  /// collective, and MPI_Finalize could block; the job is aborted instead).
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  Device buffer_device() const override { return Device::CPU; }
  void allreduce_sum(float* data, int64_t count, const std::string& what) override;
  void allreduce_sum(double* data, int64_t count, const std::string& what) override;
  void broadcast(void* data, size_t bytes, int root, const std::string& what) override;
  void barrier(const std::string& what) override;
  [[noreturn]] void abort(const std::string& message) override;

 private:
  /// Polls the started request until it completes; aborts the job past the deadline.
  void wait(void* request, const std::string& what);
  /// The in-place sum of `count` values of the MPI datatype `type` (an MPI_Datatype).
  void allreduce(void* data, int64_t count, void* type, const char* type_name, const std::string& what);

  double timeout_seconds_;
  int rank_ = 0, size_ = 1;
};

}  // namespace flowjet::dist
