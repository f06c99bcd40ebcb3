// Inclusive cumulative sum over the last axis: y_j = sum_{k <= j} x_k.
// Backward w.r.t. x: dL/dx_k = sum_{j >= k} g_j (a cumulative sum from the right).
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// Cumulative sum along the last axis of x (at least one dim); same shape out.
/// Throws ShapeError for a 0-d tensor.
Tensor cumsum(const Tensor& x);

/// CPU kernels (cumsum_cpu.cpp) over `rows` rows of `width` values; backward ADDS into grad_x.
template <class T>
void cumsum_forward_cpu(const T* x, T* y, int64_t rows, int64_t width);
template <class T>
void cumsum_backward_cpu(const T* grad_y, T* grad_x, int64_t rows, int64_t width);

/// CUDA launchers (cumsum_cuda.cu), same contract on device pointers.
template <class T>
void cumsum_forward_cuda(const T* x, T* y, int64_t rows, int64_t width);
template <class T>
void cumsum_backward_cuda(const T* grad_y, T* grad_x, int64_t rows, int64_t width);

}  // namespace flowjet
