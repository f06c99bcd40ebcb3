// The single-process communicator, batch shards and the choice of implementation.
#include "engine/dist/communicator.h"

#include <fmt/format.h>

#include <cstdio>
#include <algorithm>
#include <cstdlib>

#include "engine/core/error.h"
#ifdef FLOWJET_MPI
#include "engine/dist/mpi_communicator.h"
#ifdef FLOWJET_NCCL
#include "engine/dist/nccl_communicator.h"
#endif
#endif

namespace flowjet::dist {

void SingleProcess::abort(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::exit(1);
}

void abort_job(Communicator& comm, const std::string& message) {
  comm.abort(message);
  std::abort();  // not reached
}

SingleProcess& single_process() {
  static SingleProcess instance;
  return instance;
}

Shard shard_of(int64_t rows, int rank, int size) {
  if (size < 1 || rank < 0 || rank >= size)
    throw ConfigError(fmt::format("shard_of: rank {} of {} ranks does not exist", rank, size));
  const int64_t base = rows / size, extra = rows % size;
  Shard s;
  s.begin = rank * base + std::min<int64_t>(rank, extra);
  s.end = s.begin + base + (rank < extra ? 1 : 0);
  return s;
}

bool is_distributed_kind(const std::string& kind) { return kind == "none" || kind == "mpi" || kind == "nccl"; }

bool kind_available(const std::string& kind) {
  if (kind == "none") return true;
#ifdef FLOWJET_MPI
  if (kind == "mpi") return true;
#ifdef FLOWJET_NCCL
  if (kind == "nccl") return true;
#endif
#endif
  return false;
}

std::unique_ptr<Communicator> make_communicator(const std::string& kind, double timeout_seconds) {
  if (!is_distributed_kind(kind))
    throw ConfigError(fmt::format("train.distributed = {}: expected none, mpi or nccl", kind));
  if (!kind_available(kind))
    throw ConfigError(fmt::format(
        "train.distributed = {}: this build has no {} support (build with {}; docs/distributed.md)", kind, kind,
        kind == "mpi" ? "MPI=1 and Open MPI installed" : "MPI=1 and CUDA=1 with NCCL installed"));
  if (timeout_seconds <= 0.0)
    throw ConfigError(fmt::format("train.distributed_timeout = {}: must be positive", timeout_seconds));
#ifdef FLOWJET_MPI
  if (kind == "mpi") return std::make_unique<MpiCommunicator>(timeout_seconds);
#ifdef FLOWJET_NCCL
  if (kind == "nccl") return std::make_unique<NcclCommunicator>(std::make_unique<MpiCommunicator>(timeout_seconds),
                                                                 timeout_seconds);
#endif
#endif
  return std::make_unique<SingleProcess>();
}

}  // namespace flowjet::dist
