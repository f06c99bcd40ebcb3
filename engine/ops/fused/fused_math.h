// Per-element formulas of the fused conditioner ops, shared by their CPU and CUDA kernels. Each one is
// written in the order of operations of the unfused ops it replaces (relu, dropout, gate, add), so the
// fused and the unfused results are bitwise equal; the one exception is h + t * s in gate_residual_value,
// which the compiler may contract into a fused multiply-add (one rounding instead of two).
#pragma once

#include "engine/core/host_device.h"
#include "engine/ops/unary/logistic.h"

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

/// h + t * sigmoid(g): the context-gated residual connection of nflows' ResidualBlock.
template <class T>
FLOWJET_HOST_DEVICE inline T gate_residual_value(T h, T t, T g) {
  return h + t * sigmoid_value(g);
}

/// Its partial derivatives times dy: dL/dt = dy * s, dL/dg = dy * t * s * (1 - s) with s = sigmoid(g)
/// (sigmoid' = s(1 - s)); dL/dh = dy.
template <class T>
FLOWJET_HOST_DEVICE inline void gate_residual_grads(T t, T g, T dy, T& grad_t, T& grad_g) {
  const T s = sigmoid_value(g);
  grad_t = dy * s;
  grad_g = dy * t * s * (T(1) - s);
}

}  // namespace flowjet
