// Per-element formulas of the fused conditioner ops, shared by their CPU and CUDA kernels. Each one is
// written in the order of operations of the unfused ops it replaces (relu, dropout, gate, add), so the
// fused and the unfused results are bitwise equal; the one exception is h + t * s in gate_residual_value,
// which the compiler may contract into a fused multiply-add (one rounding instead of two).
#pragma once

#include "engine/core/host_device.h"
#include "engine/ops/gate/gate_math.h"

namespace flowjet {

/// relu(v) * keep, keep = the dropout keep-mask value (0 or 1/(1-p)), or 1 without dropout.
template <class T>
FLOWJET_HOST_DEVICE inline T relu_dropout_value(T v, T keep) {
  return (v > T(0) ? v : T(0)) * keep;
}

/// dL/dv of relu(v) * keep for dL/dy = dy: dy * keep where v > 0, else 0 (relu'(0) = 0, as the relu op).
template <class T>
FLOWJET_HOST_DEVICE inline T relu_dropout_grad(T v, T keep, T dy) {
  return v > T(0) ? dy * keep : T(0);
}

/// h + t * s with s = sigmoid(g) (computed by the caller: CPU kernels a block at a time, CUDA kernels per
/// element): the context-gated residual connection of nflows' ResidualBlock. Its gradients are the gate's
/// (gate_math.h) for t and g, and dy for h.
template <class T>
FLOWJET_HOST_DEVICE inline T gate_residual_value(T h, T t, T s) {
  return h + t * s;
}

}  // namespace flowjet
