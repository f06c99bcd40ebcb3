// The gradient formulas of a gate y = x * s with s = sigmoid(g), shared by the CPU and CUDA kernels of gate
// and gate_residual (whose t * sigmoid(g) is a gate), so that both give the same gradient bits.
#pragma once

#include "engine/core/host_device.h"

namespace flowjet {

/// dL/dx = dy * s.
template <class T>
FLOWJET_HOST_DEVICE inline T gate_grad_x(T s, T dy) {
  return dy * s;
}

/// dL/dg = dy * x * s * (1 - s), as sigmoid' = s (1 - s).
template <class T>
FLOWJET_HOST_DEVICE inline T gate_grad_g(T x, T s, T dy) {
  return dy * x * s * (T(1) - s);
}

}  // namespace flowjet
