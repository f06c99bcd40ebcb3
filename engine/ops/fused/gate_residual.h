// The context-gated residual connection of nflows' ResidualBlock in one op:
//   y = h + t * sigmoid(g)          dL/dh = dy,  dL/dt = dy * s,  dL/dg = dy * t * s * (1 - s),  s = sigmoid(g)
// It equals add(h, gate(t, g)) (engine/ops/gate/gate.h) without the intermediate tensor: the gradients bit
// for bit, y to within one rounding (h + t * s may be evaluated as one fused multiply-add).
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// h + t * sigmoid(g) for h, t, g of one shape. Throws ShapeError naming the shapes, TypeError for
/// mixed dtypes/devices.
Tensor gate_residual(const Tensor& h, const Tensor& t, const Tensor& g);

/// Which gradients the backward stores into fresh buffers (autograd's grad_target) instead of adding.
struct GateResidualOverwrite {
  bool h = false, t = false, g = false;
};

/// CPU kernels (gate_residual_cpu.cpp) on n elements; backward ADDS into grad_h, grad_t, grad_g (null:
/// not needed), or stores where `overwrite` says so.
template <class T>
void gate_residual_forward_cpu(const T* h, const T* t, const T* g, T* y, int64_t n);
template <class T>
void gate_residual_backward_cpu(const T* t, const T* g, const T* grad_y, T* grad_h, T* grad_t, T* grad_g, int64_t n,
                                GateResidualOverwrite overwrite);

/// CUDA launchers (gate_residual_cuda.cu), same contract on device pointers.
template <class T>
void gate_residual_forward_cuda(const T* h, const T* t, const T* g, T* y, int64_t n);
template <class T>
void gate_residual_backward_cuda(const T* t, const T* g, const T* grad_y, T* grad_h, T* grad_t, T* grad_g,
                                 int64_t n, GateResidualOverwrite overwrite);

}  // namespace flowjet
