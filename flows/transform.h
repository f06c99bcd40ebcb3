// The interface every invertible transform of a flow implements (as nflows' Transform):
// forward is data -> latent, inverse is latent -> data; both return the outputs and the
// per-sample log|det J| of the map they computed.
#pragma once

#include "engine/nn/module.h"
#include "engine/tensor/tensor.h"

namespace flowjet::flows {

struct TransformResult {
  Tensor outputs;    // [batch, features]
  Tensor logabsdet;  // [batch]
};

class Transform : public Module {
 public:
  /// x [batch, features], context [batch, context_features] or undefined.
  virtual TransformResult forward(const Tensor& x, const Tensor& context) = 0;
  /// z [batch, features]; exact inverse of forward in eval mode.
  virtual TransformResult inverse(const Tensor& z, const Tensor& context) = 0;
};

}  // namespace flowjet::flows
