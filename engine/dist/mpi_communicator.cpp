// MpiCommunicator: MPI_Iallreduce / MPI_Ibcast / MPI_Ibarrier, each completed by polling MPI_Test.
#include "engine/dist/mpi_communicator.h"

#include <fmt/format.h>
#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <exception>
#include <thread>

#include "engine/core/error.h"

namespace flowjet::dist {

MpiCommunicator::MpiCommunicator(double timeout_seconds) : timeout_seconds_(timeout_seconds) {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw ConfigError("train.distributed = mpi: MPI_Init_thread failed");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiCommunicator::~MpiCommunicator() {
  if (std::uncaught_exceptions() > 0 && size_ > 1)
    abort(fmt::format("rank {}: ended by an error (above); aborting the other ranks", rank_));
  MPI_Finalize();
}

void MpiCommunicator::wait(void* request, const std::string& what) {
  auto* r = static_cast<MPI_Request*>(request);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(timeout_seconds_);
  // Short sleeps between the tests, growing to 1 ms: a waiting rank leaves its core to the others
  // (ranks may share cores) yet notices completion within about a millisecond.
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    int done = 0;
    MPI_Test(r, &done, MPI_STATUS_IGNORE);
    if (done) return;
    if (std::chrono::steady_clock::now() > deadline)
      abort(fmt::format(
          "rank {} of {}: {} did not complete within train.distributed_timeout = {} s (another rank died or "
          "hangs); aborting the job",
          rank_, size_, what, timeout_seconds_));
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

void MpiCommunicator::allreduce(void* data, int64_t count, void* type, const char* type_name,
                                const std::string& what) {
  if (size_ == 1) return;
  if (count > INT_MAX) throw InternalError(fmt::format("all-reduce of {} {}s exceeds MPI's int count", count, type_name));
  MPI_Request request;
  MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count), *static_cast<MPI_Datatype*>(type), MPI_SUM,
                 MPI_COMM_WORLD, &request);
  wait(&request, what);
}

void MpiCommunicator::allreduce_sum(float* data, int64_t count, const std::string& what) {
  MPI_Datatype type = MPI_FLOAT;
  allreduce(data, count, &type, "float", what);
}

void MpiCommunicator::allreduce_sum(double* data, int64_t count, const std::string& what) {
  MPI_Datatype type = MPI_DOUBLE;
  allreduce(data, count, &type, "double", what);
}

void MpiCommunicator::broadcast(void* data, size_t bytes, int root, const std::string& what) {
  if (size_ == 1) return;
  if (bytes > INT_MAX) throw InternalError(fmt::format("broadcast of {} bytes exceeds MPI's int count", bytes));
  MPI_Request request;
  MPI_Ibcast(data, static_cast<int>(bytes), MPI_BYTE, root, MPI_COMM_WORLD, &request);
  wait(&request, what);
}

void MpiCommunicator::barrier(const std::string& what) {
  if (size_ == 1) return;
  MPI_Request request;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  wait(&request, what);
}

void MpiCommunicator::abort(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();  // MPI_Abort does not return; this satisfies [[noreturn]]
}

}  // namespace flowjet::dist
