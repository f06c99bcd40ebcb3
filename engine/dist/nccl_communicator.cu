// NcclCommunicator: ncclAllReduce on flowjet's stream, completion polled with cudaStreamQuery and
// ncclCommGetAsyncError until the deadline.
#include "engine/dist/nccl_communicator.h"

#include <cuda_runtime.h>
#include <fmt/format.h>
#include <nccl.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "engine/backend/cuda/check.h"
#include "engine/backend/cuda/launch.cuh"
#include "engine/core/error.h"

namespace flowjet::dist {
namespace {

ncclComm_t as_nccl(void* comm) { return static_cast<ncclComm_t>(comm); }

void check_nccl(ncclResult_t result, const char* call) {
  if (result != ncclSuccess) throw CudaError(fmt::format("{}: {}", call, ncclGetErrorString(result)));
}

// Open MPI's rank among the processes of this node; 0 elsewhere.
int local_rank() {
  const char* value = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK");
  return value ? std::atoi(value) : 0;
}

}  // namespace

NcclCommunicator::NcclCommunicator(std::unique_ptr<Communicator> bootstrap, double timeout_seconds)
    : bootstrap_(std::move(bootstrap)), timeout_seconds_(timeout_seconds) {
  int devices = 0;
  FLOWJET_CUDA_CHECK(cudaGetDeviceCount(&devices));
  if (devices < 1) throw CudaError("train.distributed = nccl: no CUDA device visible");
  FLOWJET_CUDA_CHECK(cudaSetDevice(local_rank() % devices));
  ncclUniqueId id;
  if (rank() == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
  bootstrap_->broadcast(&id, sizeof id, 0, "the broadcast of the NCCL id");
  ncclComm_t comm = nullptr;
  check_nccl(ncclCommInitRank(&comm, size(), id, rank()), "ncclCommInitRank");
  comm_ = comm;
}

NcclCommunicator::~NcclCommunicator() {
  if (comm_) ncclCommDestroy(as_nccl(comm_));
}

void NcclCommunicator::allreduce_sum(float* data, int64_t count, const std::string& what) {
  allreduce(data, count, ncclFloat, what);
}

void NcclCommunicator::allreduce_sum(double* data, int64_t count, const std::string& what) {
  allreduce(data, count, ncclDouble, what);
}

void NcclCommunicator::allreduce(void* data, int64_t count, int type, const std::string& what) {
  if (size() == 1) return;
  cudaStream_t stream = cuda::stream();
  check_nccl(ncclAllReduce(data, data, static_cast<size_t>(count), static_cast<ncclDataType_t>(type), ncclSum,
                           as_nccl(comm_), stream),
             "ncclAllReduce");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds_);
  for (;;) {
    const cudaError_t state = cudaStreamQuery(stream);
    if (state == cudaSuccess) return;
    if (state != cudaErrorNotReady) FLOWJET_CUDA_CHECK(state);
    ncclResult_t async = ncclSuccess;
    ncclCommGetAsyncError(as_nccl(comm_), &async);
    if (async != ncclSuccess && async != ncclInProgress)
      abort(fmt::format("rank {} of {}: {} failed in NCCL: {}", rank(), size(), what, ncclGetErrorString(async)));
    if (std::chrono::steady_clock::now() > deadline)
      abort(fmt::format(
          "rank {} of {}: {} did not complete within train.distributed_timeout = {} s (another rank died or "
          "hangs); aborting the job",
          rank(), size(), what, timeout_seconds_));
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

void NcclCommunicator::abort(const std::string& message) {
  if (comm_) ncclCommAbort(as_nccl(comm_));
  comm_ = nullptr;
  abort_job(*bootstrap_, message);
}

}  // namespace flowjet::dist
