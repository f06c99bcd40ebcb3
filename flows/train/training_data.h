// The data of a training run: the JetNet file read with the options' particle count and jet cap,
// then prepared (mass, noise, split, scaling; training-recipe.md §1–§5).
#pragma once

#include <string>
#include <vector>

#include "data/jet_set.h"
#include "data/preprocess.h"
#include "flows/train/train_options.h"

namespace flowjet::flows {

struct TrainingData {
  data::JetSet jets;  // as read (the real test jets for evaluation come from here)
  data::PreparedData prepared;
  std::vector<std::string> warnings;  // non-fatal findings of the reader
};

/// Reads options.path (the first `particles` slots, num_particles capped to them, at most max_jets
/// jets) and prepares it. Throws JetNetError naming the file and the problem, ConfigError for an
/// unknown jet type.
TrainingData load_training_data(const DataOptions& options);

/// The jets of `rows` of `jets`, in that order.
data::JetSet select_jets(const data::JetSet& jets, const std::vector<int64_t>& rows);

}  // namespace flowjet::flows
