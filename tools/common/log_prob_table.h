// bin/logprob's computation: log p(x | c) of many rows in batches (eval mode, nothing recorded) and
// the CSV it prints, one line per jet with the per-dimension value the authors log (training-recipe.md §7.1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flows/io/flow_inputs.h"

namespace flowjet::tools {

/// log p(x | c) of every row of `inputs`, `batch` rows at a time; the same numbers as one
/// Flow::log_prob call over all rows in eval mode. Throws ConfigError for batch < 1.
std::vector<double> batched_log_prob(flows::Flow& flow, const flows::FlowInputs& inputs, int64_t batch);

/// "jet,log_prob,log_prob_per_dim" then one line per row: jet index (first_jet + row), log p, log p / features.
std::string log_prob_csv(const std::vector<double>& log_prob, int64_t first_jet, int64_t features);

}  // namespace flowjet::tools
