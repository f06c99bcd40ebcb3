// Shared setup of the trainer tests: a tiny model on the first jets of the committed light-quark
// sample, small enough that a step takes milliseconds.
#pragma once

#include <string>
#include <vector>

#include "flows/train/train_options.h"
#include "flows/train/training_data.h"

namespace flowjet::test {

/// CCNF(m, n) with 2 coupling layers, H = 16, one residual block with batch norm and dropout,
/// batch 64 of 210 training jets (4 batches per epoch, reshuffled), mass loss from step 2.
flows::TrainOptions tiny_train_options();

/// The prepared data of `options` (read once per data options and cached; a copy is returned).
data::PreparedData tiny_prepared(const flows::TrainOptions& options);

/// Every parameter, buffer and optimiser moment equal bit for bit (names listed on failure).
std::vector<std::string> bitwise_differences(const NamedTensors& a, const NamedTensors& b);

}  // namespace flowjet::test
