// CommunicatorStatsReducer's check of where the communicator's buffers live.
#include "engine/dist/stats_reducer.h"

#include "engine/core/error.h"

namespace flowjet::dist {

CommunicatorStatsReducer::CommunicatorStatsReducer(Communicator& comm) : comm_(comm) {
  if (comm.buffer_device() != Device::CPU)
    throw ConfigError(
        "train.sync_batchnorm = true needs train.distributed = mpi (CPU ranks): synchronised batch norm is not "
        "implemented for CUDA tensors or the NCCL communicator");
}

}  // namespace flowjet::dist
