// Linear layer: parameters, PyTorch default initialisation, forward through the linear op.
#include "engine/nn/linear.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/nn/init.h"
#include "engine/ops/linear/linear.h"

namespace flowjet {

Linear::Linear(int64_t in_features, int64_t out_features, Generator& gen, bool has_bias, DType dtype)
    : in_features_(in_features), out_features_(out_features) {
  if (in_features < 0 || out_features < 0)
    throw ConfigError(
        fmt::format("Linear: sizes must be >= 0, got in_features {} and out_features {}", in_features, out_features));
  weight_ = Tensor::empty(Shape{out_features, in_features}, dtype);  // weight: [out_features, in_features]
  if (has_bias) bias_ = Tensor::empty(Shape{out_features}, dtype);   // bias: [out_features]
  init_linear_default_(weight_, bias_, gen);
  register_parameter("weight", weight_);
  if (has_bias) register_parameter("bias", bias_);
}

Tensor Linear::forward(const Tensor& x) const { return linear(x, weight_, bias_); }

Tensor Linear::forward_after_norm_relu(const Tensor& x, const std::optional<NormArgs>& norm,
                                       const DropoutArgs& dropout) const {
  return norm_relu_linear(x, norm, dropout, weight_, bias_);
}

}  // namespace flowjet
