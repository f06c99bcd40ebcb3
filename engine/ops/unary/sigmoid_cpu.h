// The logistic function over arrays for the CPU kernels of sigmoid, gate and gate_residual, so that all
// three get the same bits: f32 through the vector exp of engine/backend/cpu/simd_math.h, f64 (gradient
// checks) through the scalar libm formula of logistic.h. Either way a result depends only on its input.
#pragma once

#include <algorithm>
#include <cstdint>

#include "engine/backend/cpu/simd_math.h"
#include "engine/ops/unary/logistic.h"

namespace flowjet {

/// s[i] = sigmoid(x[i]) for i in [0, n); s may equal x.
inline void sigmoid_cpu(const float* x, float* s, int64_t n) {
  simd::map(x, s, n, [](simd::f32x8 v) { return simd::sigmoid(v); });
}
inline void sigmoid_cpu(const double* x, double* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) s[i] = sigmoid_value(x[i]);
}

/// Calls body(j, s, m) for consecutive blocks [j, j + m) of [0, n), with s[k] = sigmoid(x[j + k]) for k < m
/// in a buffer that stays in L1 cache: element-wise kernels that need sigmoid(g) compute it a block at a
/// time and then run their own (vectorisable) loop over the block.
template <class T, class Body>
inline void for_sigmoid_blocks(const T* x, int64_t n, Body&& body) {
  constexpr int64_t kBlock = 512;
  T s[kBlock];
  for (int64_t j = 0; j < n; j += kBlock) {
    const int64_t m = std::min(kBlock, n - j);
    sigmoid_cpu(x + j, s, m);
    body(j, static_cast<const T*>(s), m);
  }
}

}  // namespace flowjet
