// The peak tensor memory of a run's training step, predicted by measuring: scratch trainers on
// the CPU run two steps at two small batch sizes, the allocator's peak live bytes of each are
// fitted by peak = fixed + per_row * batch, and the line is extrapolated to the run's batch size.
// The figure is the bytes tensors ask for (model, gradients, optimiser moments, activations);
// it is device independent up to the CUDA allocator's rounding. docs/train.md, --dry-run.
#pragma once

#include <cstdint>

#include "data/preprocess.h"
#include "flows/train/train_options.h"

namespace flowjet::flows {

/// Peak live tensor bytes while building a trainer of `options` (batch size included) on the CPU
/// and running two of its steps, beyond what was live before. The steps include the CCNF
/// mass-constraint pass (recorded, as inside its λ window). Changes nothing outside the scratch
/// trainer; writes no files.
int64_t measure_training_peak(const TrainOptions& options, const data::PreparedData& prepared);

struct PeakMemoryFit {
  int64_t small_batch = 0, large_batch = 0;  // the two measured batch sizes
  int64_t small_peak = 0, large_peak = 0;    // their measured peaks (bytes)
  double fixed_bytes = 0.0;                  // fitted peak at batch 0
  double bytes_per_row = 0.0;                // fitted slope
  /// fixed + per_row * batch, in bytes.
  double predict(int64_t batch) const { return fixed_bytes + bytes_per_row * static_cast<double>(batch); }
};

/// Measures at `small_batch` and `large_batch` rows (each capped at the training rows) and fits
/// the line through both.
PeakMemoryFit fit_training_peak(const TrainOptions& options, const data::PreparedData& prepared,
                                int64_t small_batch = 64, int64_t large_batch = 256);

}  // namespace flowjet::flows
