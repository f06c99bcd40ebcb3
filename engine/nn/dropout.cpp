// Dropout layer: draws the keep-mask and applies the dropout op (flow-model.md §3.4).
#include "engine/nn/dropout.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/ops/dropout/dropout.h"

namespace flowjet {

Dropout::Dropout(double p, Generator& gen) : p_(p), gen_(gen) {
  if (!(p >= 0.0 && p < 1.0)) throw ConfigError(fmt::format("Dropout: probability must be in [0, 1), got {}", p));
}

Tensor Dropout::keep_mask(const Tensor& x) const {
  if (!is_training() || p_ == 0.0) return Tensor();
  return random_keep_mask(x.shape(), p_, gen_, x.dtype(), x.device());
}

DropoutArgs Dropout::dropout_args() const {
  if (!is_training() || p_ == 0.0) return DropoutArgs{};
  return DropoutArgs{&gen_, p_};
}

Tensor Dropout::forward(const Tensor& x) const {
  const Tensor mask = keep_mask(x);
  return mask.defined() ? dropout(x, mask) : x;
}

}  // namespace flowjet
