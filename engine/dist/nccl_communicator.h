// The NCCL communicator (built with CUDA=1, MPI=1 and NCCL present): one GPU per rank, gradient
// all-reduces on the GPU on flowjet's CUDA stream; MPI starts it (the NCCL id is broadcast over
// MPI) and carries the host broadcasts and barriers. The all-reduce is polled against the same
// deadline as MPI's: past it the NCCL communicator is aborted and the job with it.
#pragma once

#include <memory>

#include "engine/dist/communicator.h"

namespace flowjet::dist {

class NcclCommunicator final : public Communicator {
 public:
  /// Selects GPU (local rank mod visible GPUs), then joins the NCCL clique of `bootstrap`'s ranks.
  NcclCommunicator(std::unique_ptr<Communicator> bootstrap, double timeout_seconds);
  ~NcclCommunicator() override;
  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return bootstrap_->rank(); }
  int size() const override { return bootstrap_->size(); }
  Device buffer_device() const override { return Device::CUDA; }
  /// `data` is device memory.
  void allreduce_sum(float* data, int64_t count, const std::string& what) override;
  void allreduce_sum(double* data, int64_t count, const std::string& what) override;
  void broadcast(void* data, size_t bytes, int root, const std::string& what) override {
    bootstrap_->broadcast(data, bytes, root, what);
  }
  void barrier(const std::string& what) override { bootstrap_->barrier(what); }
  [[noreturn]] void abort(const std::string& message) override;

 private:
  /// ncclAllReduce (sum, in place) of `count` values of `type` (an ncclDataType_t), polled to the deadline.
  void allreduce(void* data, int64_t count, int type, const std::string& what);

  std::unique_ptr<Communicator> bootstrap_;
  double timeout_seconds_;
  void* comm_ = nullptr;  // ncclComm_t
};

}  // namespace flowjet::dist
