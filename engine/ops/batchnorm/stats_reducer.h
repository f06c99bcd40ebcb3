// The hook of synchronised batch norm (train.sync_batchnorm, docs/distributed.md): in training mode
// the batch-norm kernels hand their per-channel sums to a reducer between their passes, and the
// reducer replaces them by their sums over the ranks of a data-parallel job, so every rank
// normalises with the statistics of the global batch. The engine knows only this interface; the
// trainer supplies one backed by a dist::Communicator (engine/dist/stats_reducer_adapter.h).
#pragma once

#include <cstdint>

namespace flowjet {

class BatchStatsReducer {
 public:
  virtual ~BatchStatsReducer() = default;
  /// Replaces data[0..count) (host memory) by its sum over the ranks. Every rank calls it the same
  /// number of times, in the same order, with the same count.
  virtual void sum(double* data, int64_t count) = 0;
};

}  // namespace flowjet
