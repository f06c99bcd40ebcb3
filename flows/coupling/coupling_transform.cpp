// Split, condition, transform, merge: flow-model.md §2.2.
#include "flows/coupling/coupling_transform.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/ops/gather/gather.h"
#include "flows/masks.h"

namespace flowjet::flows {

CouplingTransform::CouplingTransform(const std::vector<int>& mask, int64_t params_per_feature, ResidualNetSpec net,
                                     Generator& init, Generator& dropout_gen, DType dtype)
    : features_(static_cast<int64_t>(mask.size())) {
  std::vector<int64_t> identity = identity_indices(mask), transformed = transform_indices(mask);
  if (transformed.empty())
    throw ConfigError(fmt::format("coupling layer: the mask of {} features transforms none of them", features_));
  std::vector<double> mask_values(mask.begin(), mask.end());
  for (double& m : mask_values) m = m > 0 ? 1.0 : 0.0;
  mask_ = Tensor::from_vector(mask_values, Shape{features_}, dtype);
  register_buffer("mask", mask_);
  net.in_features = static_cast<int64_t>(identity.size());
  net.out_features = static_cast<int64_t>(transformed.size()) * params_per_feature;
  conditioner_ = &register_module("conditioner", std::make_unique<ResidualNet>(net, init, dropout_gen, dtype));
}

std::vector<int> CouplingTransform::mask() const {
  std::vector<int> out;
  for (double m : mask_.to_vector()) out.push_back(m > 0 ? 1 : 0);
  return out;
}
void CouplingTransform::set_mask(const std::vector<int>& mask) {
  const std::size_t now = transform_features().size();
  if (static_cast<int64_t>(mask.size()) != features_ || transform_indices(mask).size() != now)
    throw ShapeError(fmt::format("coupling layer: a new mask must have {} entries with {} transformed, got {} with {}",
                                 features_, now, mask.size(), transform_indices(mask).size()));
  std::vector<double> values;
  for (int m : mask) values.push_back(m > 0 ? 1.0 : 0.0);
  mask_.copy_(Tensor::from_vector(values, Shape{features_}, mask_.dtype()));
}

std::vector<int64_t> CouplingTransform::identity_features() const { return identity_indices(mask()); }
std::vector<int64_t> CouplingTransform::transform_features() const { return transform_indices(mask()); }

Tensor CouplingTransform::conditioner_params(const Tensor& x, const Tensor& context) {
  return conditioner_->forward(gather_columns(x, identity_features()), context);
}

TransformResult CouplingTransform::forward(const Tensor& x, const Tensor& context) { return apply(x, context, false); }
TransformResult CouplingTransform::inverse(const Tensor& z, const Tensor& context) { return apply(z, context, true); }

TransformResult CouplingTransform::apply(const Tensor& x, const Tensor& context, bool inverse) {
  if (x.ndim() != 2 || x.size(1) != features_)
    throw ShapeError(fmt::format("coupling layer: input {} but the layer has {} features", x.shape().str(), features_));
  std::vector<int64_t> identity = identity_features(), transformed = transform_features();
  // The identity part is the same in both directions, so the conditioner sees the same input.
  Tensor u = gather_columns(x, identity);
  Tensor v = gather_columns(x, transformed);
  Tensor params = conditioner_->forward(u, context);
  TransformResult part = transform_part(v, params, inverse);
  return {scatter_columns({u, part.outputs}, {identity, transformed}, features_), part.logabsdet};
}

}  // namespace flowjet::flows
