// Row gathering from the prepared table [rows, 3P + 2] = scaled features, scaled mass, raw n.
#include "flows/train/batch.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::flows {

Batch gather_batch(const data::PreparedData& prepared, const std::vector<int64_t>& rows, int64_t context_features) {
  if (context_features > 2)
    throw ShapeError(
        fmt::format("gather_batch: {} context features, the models use at most 2 (m~, n)", context_features));
  const int64_t B = static_cast<int64_t>(rows.size()), D = 3 * prepared.particles, W = prepared.width();
  const int64_t C = context_features > 0 ? context_features : 0;
  Batch batch;
  batch.x = Tensor::empty(Shape{B, D});
  batch.mass = Tensor::empty(Shape{B});
  if (C > 0) batch.context = Tensor::empty(Shape{B, C});
  float* x = batch.x.data<float>();
  float* mass = batch.mass.data<float>();
  for (int64_t i = 0; i < B; ++i) {
    const int64_t r = rows[static_cast<size_t>(i)];
    if (r < 0 || r >= prepared.rows)
      throw ShapeError(fmt::format("gather_batch: row {} outside the {} prepared rows", r, prepared.rows));
    const float* row = prepared.table.data() + r * W;
    std::copy(row, row + D, x + i * D);
    const float scaled_mass = row[D], n = row[D + 1];
    mass[i] = static_cast<float>(prepared.scaler.inverse(scaled_mass, D));
    if (C >= 1) batch.context.data<float>()[i * C] = scaled_mass;
    if (C == 2) batch.context.data<float>()[i * C + 1] = n;
  }
  return batch;
}

Batch Batch::to(Device device) const {
  return {x.to(device), context.defined() ? context.to(device) : Tensor(), mass.to(device)};
}

FeatureScaling feature_scaling(const data::StandardScaler& scaler, int64_t features, Device device) {
  std::vector<double> mean(scaler.mean().begin(), scaler.mean().begin() + features);
  std::vector<double> deviation(scaler.std().begin(), scaler.std().begin() + features);
  return {Tensor::from_vector(mean, Shape{features}).to(device),
          Tensor::from_vector(deviation, Shape{features}).to(device)};
}

}  // namespace flowjet::flows
