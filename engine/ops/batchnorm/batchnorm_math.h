// The per-element formulas of batch normalisation, shared by the CPU and CUDA kernels of batchnorm and
// of the fused batchnorm_relu_dropout (engine/ops/fused/), so all of them round identically.
#pragma once

#include "engine/core/host_device.h"

namespace flowjet {

/// y = (x - mean) * inv_std * gamma + beta, in this order of operations.
template <class T>
FLOWJET_HOST_DEVICE inline T batchnorm_value(T x, T mean, T inv_std, T gamma, T beta) {
  return (x - mean) * inv_std * gamma + beta;
}

/// The training-mode dL/dx of README.md, step 5: gamma * inv_std * (dy - mean(dy) - xhat * mean(dy * xhat)),
/// in double from the per-channel means of dy and dy * xhat.
FLOWJET_HOST_DEVICE inline double batchnorm_grad_x(double dy, double xhat, double gamma_inv_std, double mean_dy,
                                                   double mean_dy_xhat) {
  return gamma_inv_std * (dy - mean_dy - xhat * mean_dy_xhat);
}

}  // namespace flowjet
