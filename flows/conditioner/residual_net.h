// nflows' ResidualNet conditioner (flow-model.md §3): an input layer on [features, context], pre-activation
// residual blocks with context gating, and an output layer.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/nn/batchnorm1d.h"
#include "engine/nn/dropout.h"
#include "engine/nn/linear.h"
#include "engine/nn/module.h"
#include "engine/random/generator.h"

namespace flowjet::flows {

struct ResidualNetSpec {
  int64_t in_features = 0;
  int64_t out_features = 0;
  int64_t hidden_features = 0;
  /// -1: no context at all. 0: nflows' C = 0 quirk (bias-only context layers, never used).
  int64_t context_features = -1;
  int64_t num_blocks = 2;
  double dropout = 0.0;
  bool batch_norm = false;
  double batch_norm_eps = 1e-3;  // nflows' ResidualBlock uses eps 1e-3
};

/// One pre-activation residual block: [BN] relu linear_0 [BN] relu dropout linear_1, gated by the context.
class ResidualBlock : public Module {
 public:
  ResidualBlock(const ResidualNetSpec& spec, Generator& init, Generator& dropout_gen, DType dtype);
  Tensor forward(const Tensor& h, const Tensor& context);
  std::string type_name() const override { return "ResidualBlock"; }
  int64_t output_features() const override { return hidden_features_; }

 private:
  int64_t hidden_features_;
  BatchNorm1d* batch_norm_0_ = nullptr;
  BatchNorm1d* batch_norm_1_ = nullptr;
  Linear* linear_0_ = nullptr;
  Linear* linear_1_ = nullptr;
  Linear* context_layer_ = nullptr;
  Dropout* dropout_ = nullptr;
};

class ResidualNet : public Module {
 public:
  /// Weights are drawn from `init` (PyTorch defaults, then U(±1e-3) for each block's linear_1 as in
  /// nflows); `dropout_gen` feeds the dropout masks in training mode.
  ResidualNet(const ResidualNetSpec& spec, Generator& init, Generator& dropout_gen, DType dtype = DType::F32);
  /// inputs [batch, in_features], context [batch, context_features] or undefined -> [batch, out_features].
  Tensor forward(const Tensor& inputs, const Tensor& context);
  const ResidualNetSpec& spec() const { return spec_; }
  std::string type_name() const override { return "ResidualNet"; }
  int64_t output_features() const override { return spec_.out_features; }

 private:
  ResidualNetSpec spec_;
  Linear* initial_layer_ = nullptr;
  std::vector<ResidualBlock*> blocks_;
  Linear* final_layer_ = nullptr;
};

}  // namespace flowjet::flows
