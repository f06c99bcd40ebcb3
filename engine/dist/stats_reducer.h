// Synchronised batch norm's reducer (engine/ops/batchnorm/stats_reducer.h) over a communicator: the
// per-channel double sums of every batch-norm layer are all-reduced over the ranks.
#pragma once

#include <string>

#include "engine/dist/communicator.h"
#include "engine/ops/batchnorm/stats_reducer.h"

namespace flowjet::dist {

class CommunicatorStatsReducer final : public BatchStatsReducer {
 public:
  /// `comm` is kept, not owned. Throws ConfigError unless its buffers live on the host (the batch-norm
  /// sums are host memory; NCCL's all-reduce takes device buffers).
  explicit CommunicatorStatsReducer(Communicator& comm);
  void sum(double* data, int64_t count) override { comm_.allreduce_sum(data, count, what_); }
  /// Names the collectives in a timeout message, e.g. "the batch-norm statistics of step 12".
  void set_what(std::string what) { what_ = std::move(what); }

 private:
  Communicator& comm_;
  std::string what_ = "the batch-norm statistics";
};

}  // namespace flowjet::dist
