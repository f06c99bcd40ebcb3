// The logistic function and softplus (its integral) as scalar formulas shared by CPU and CUDA kernels
// (unary, gate, rqs_spline). Both are written so that exp never overflows. The f32 CPU kernels of sigmoid,
// gate and gate_residual use the vector version of the same branches instead (sigmoid_cpu.h).
#pragma once

#include <cmath>

#include "engine/core/host_device.h"

namespace flowjet {

/// PyTorch's softplus with threshold 20: x itself above it; log1p(exp(x)) otherwise, which is
/// stable for very negative x (exp underflows to 0 gracefully).
template <class T>
FLOWJET_HOST_DEVICE inline T softplus_value(T x) {
  return x > T(20) ? x : std::log1p(std::exp(x));
}

/// sigmoid(x) = 1 / (1 + e^-x) in two branches, so exp only sees non-positive arguments.
template <class T>
FLOWJET_HOST_DEVICE inline T sigmoid_value(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

}  // namespace flowjet
