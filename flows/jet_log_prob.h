// Scoring jets with a trained jet model: each jet is preprocessed as training does (training-recipe.md
// §2, §4: its 3P particle columns and its mass scaled with the model's scaler, n raw; no padding
// noise) and its log density log p(x~ | c) is evaluated by the flow in eval mode.
#pragma once

#include <cstdint>
#include <vector>

#include "data/jet_set.h"
#include "flows/io/jet_model.h"

namespace flowjet::flows {

/// log p(x~ | c) per jet ([jets]) in the flow's scaled space, the quantity whose mean (divided by
/// 3P, negated) is the training NLL; the density of the unscaled features is this minus
/// sum_j log(std_j + 1e-7) over the 3P particle columns. Context: [m~] or [m~, n] from each jet's
/// own mass (training-recipe.md §2, all slots) and real-particle count, none for VNF. Runs in batches
/// of `batch_size` jets without recording, on the device of the model's flow (each batch is
/// preprocessed on the host, copied there, and its log p copied back). Throws
/// flowjet::ShapeError when the jets do not have the model's P particles, flowjet::ConfigError for
/// batch_size < 1.
std::vector<double> jet_log_prob(JetModel& model, const data::JetSet& jets, int64_t batch_size = 10000);

}  // namespace flowjet::flows
