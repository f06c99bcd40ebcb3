// Peak-memory prediction: scratch trainers measured with the allocator's peak counter.
#include "flows/train/peak_memory.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/tensor/storage.h"
#include "flows/train/trainer.h"

namespace flowjet::flows {

int64_t measure_training_peak(const TrainOptions& options, const data::PreparedData& prepared) {
  TrainOptions scratch = options;
  scratch.device = "cpu";
  // Record the mass-constraint pass from the first step on: the steps inside the λ window are the
  // largest of a CCNF run.
  scratch.n_mse_delay = -1;
  scratch.n_mse_turnoff = -1;
  const int64_t before = allocator_stats(Device::CPU).live_bytes;
  reset_peak_bytes(Device::CPU);
  {
    Trainer trainer(scratch, prepared, Device::CPU);
    // Two steps: the optimiser's moments exist from the first step on, so the second is the
    // steady state.
    trainer.step();
    trainer.step();
  }
  const int64_t peak = allocator_stats(Device::CPU).peak_bytes - before;
  release_cached_memory(Device::CPU);  // the scratch blocks' sizes are not the run's: do not keep them cached
  return peak;
}

PeakMemoryFit fit_training_peak(const TrainOptions& options, const data::PreparedData& prepared, int64_t small_batch,
                                int64_t large_batch) {
  const auto rows = static_cast<int64_t>(prepared.split.train.size());
  PeakMemoryFit fit;
  fit.small_batch = std::min(small_batch, rows);
  fit.large_batch = std::min(large_batch, rows);
  if (fit.small_batch < 1 || fit.large_batch <= fit.small_batch)
    throw ConfigError(fmt::format("peak-memory fit: needs two batch sizes 1 <= small < large within the {} training "
                                  "rows, got {} and {}",
                                  rows, fit.small_batch, fit.large_batch));
  auto measure = [&](int64_t batch) {
    TrainOptions o = options;
    o.batch_size = batch;
    return measure_training_peak(o, prepared);
  };
  fit.small_peak = measure(fit.small_batch);
  fit.large_peak = measure(fit.large_batch);
  fit.bytes_per_row = static_cast<double>(fit.large_peak - fit.small_peak) /
                      static_cast<double>(fit.large_batch - fit.small_batch);
  fit.fixed_bytes = static_cast<double>(fit.small_peak) - fit.bytes_per_row * static_cast<double>(fit.small_batch);
  return fit;
}

}  // namespace flowjet::flows
