// Linear layer y = x W^T + b with PyTorch's default initialisation (flow-model.md §3.1, §3.5).
#pragma once

#include <cstdint>
#include <optional>

#include "engine/nn/module.h"
#include "engine/ops/fused/norm_relu_linear.h"
#include "engine/random/generator.h"

namespace flowjet {

/// Parameters "weight" [out_features, in_features] and (if has_bias) "bias" [out_features], both drawn
/// from U(-1/sqrt(in_features), 1/sqrt(in_features)) by init_linear_default_ (weight first). in_features
/// may be 0: the weight is empty, the bias is 0 and forward returns the bias for every row.
class Linear : public Module {
 public:
  /// Throws ConfigError for negative sizes.
  Linear(int64_t in_features, int64_t out_features, Generator& gen, bool has_bias = true, DType dtype = DType::F32);

  /// x [batch, in_features] -> [batch, out_features]; throws ShapeError/TypeError as linear().
  Tensor forward(const Tensor& x) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }
  /// forward(dropout(relu(norm(x)))) as one fused op (norm_relu_linear), which keeps no [batch, in]
  /// intermediate for the backward; norm absent: no batch norm, dropout inactive: no dropout.
  Tensor forward_after_norm_relu(const Tensor& x, const std::optional<NormArgs>& norm,
                                 const DropoutArgs& dropout = DropoutArgs{}) const;

  std::string type_name() const override { return "Linear"; }
  int64_t output_features() const override { return out_features_; }
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  Tensor& weight() { return weight_; }
  /// Undefined when the layer has no bias.
  Tensor& bias() { return bias_; }

 private:
  int64_t in_features_;
  int64_t out_features_;
  Tensor weight_;
  Tensor bias_;
};

}  // namespace flowjet
