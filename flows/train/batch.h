// One training or validation batch cut from the prepared table (training-recipe.md §4, §6): the flow's
// input, the model's context and the physical jet mass the mass-constraint loss aims at.
#pragma once

#include <cstdint>
#include <vector>

#include "data/preprocess.h"
#include "engine/tensor/tensor.h"
#include "flows/loss/mass_constraint.h"

namespace flowjet::flows {

struct Batch {
  Tensor x;        // [rows, 3P]: scaled particle features (table columns 0..3P-1)
  Tensor context;  // [rows, C]: [m~] (C = 1) or [m~, n] (C = 2); undefined for C <= 0
  Tensor mass;     // [rows]: unscaled mass m~ * std_m + mean_m (training-recipe.md §7.2 step 4)
  int64_t rows() const { return x.size(0); }
  /// The batch on `device` (one explicit copy per tensor; itself when already there).
  Batch to(Device device) const;
};

/// Gathers the rows `rows` of `prepared` (f32 tensors). Throws ShapeError for an out-of-range row or
/// context_features > 2.
Batch gather_batch(const data::PreparedData& prepared, const std::vector<int64_t>& rows, int64_t context_features);

/// The scaling of the first `features` scaler columns (the particle features), as the mass loss
/// needs it to undo the scaling of generated jets, on `device`.
FeatureScaling feature_scaling(const data::StandardScaler& scaler, int64_t features, Device device = Device::CPU);

}  // namespace flowjet::flows
