// Dropout layer (flow-model.md §3.4): in training mode a fresh keep-mask from the layer's generator at
// every call; in eval mode, or with p = 0, the identity.
#pragma once

#include "engine/nn/module.h"
#include "engine/ops/fused/norm_relu_linear.h"
#include "engine/random/generator.h"

namespace flowjet {

/// Holds a reference to `gen`, which must outlive the layer; no parameters or buffers.
class Dropout : public Module {
 public:
  /// Throws ConfigError unless 0 <= p < 1.
  Dropout(double p, Generator& gen);

  /// Training and p > 0: x * random_keep_mask(x.shape(), p, gen) (zeros with probability p, survivors
  /// scaled by 1/(1-p)). Otherwise returns x itself.
  Tensor forward(const Tensor& x) const;
  Tensor operator()(const Tensor& x) const { return forward(x); }
  /// The keep-mask forward(x) applies: in training mode with p > 0 a fresh random_keep_mask of x's shape,
  /// dtype and device (advancing the generator); otherwise an undefined tensor (no dropout).
  Tensor keep_mask(const Tensor& x) const;
  /// The dropout forward(x) would apply, for a fused op that draws the mask itself (norm_relu_linear, the
  /// same mask and generator advance as forward): in training mode with p > 0 this layer's generator and
  /// p; otherwise inactive (no dropout).
  DropoutArgs dropout_args() const;

  std::string type_name() const override { return "Dropout"; }
  double p() const { return p_; }

 private:
  double p_;
  Generator& gen_;
};

}  // namespace flowjet
