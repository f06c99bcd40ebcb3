// softmax and log_softmax over the last axis, computed stably by subtracting each row's max
// (flow-model.md conventions):
//   softmax:     y_j = exp(x_j - m) / sum_k exp(x_k - m)     m = max_k x_k
//   log_softmax: y_j = x_j - m - log sum_k exp(x_k - m)
// Backward w.r.t. x: softmax      dL/dx_j = y_j (g_j - sum_k g_k y_k)
//                    log_softmax  dL/dx_j = g_j - exp(y_j) sum_k g_k
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// Softmax over the last axis of x (any shape with at least one dim); same shape out.
/// Throws ShapeError for a 0-d tensor.
Tensor softmax(const Tensor& x);
/// log(softmax(x)) over the last axis, without forming softmax first.
Tensor log_softmax(const Tensor& x);

/// CPU kernels (softmax_cpu.cpp) over `rows` rows of `width` values. Backward reads only the
/// forward output y and ADDS into grad_x.
template <class T>
void softmax_forward_cpu(bool is_log, const T* x, T* y, int64_t rows, int64_t width);
template <class T>
void softmax_backward_cpu(bool is_log, const T* y, const T* grad_y, T* grad_x, int64_t rows, int64_t width);

/// CUDA launchers (softmax_cuda.cu), same contract on device pointers.
template <class T>
void softmax_forward_cuda(bool is_log, const T* x, T* y, int64_t rows, int64_t width);
template <class T>
void softmax_backward_cuda(bool is_log, const T* y, const T* grad_y, T* grad_x, int64_t rows, int64_t width);

}  // namespace flowjet
