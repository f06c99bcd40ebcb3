// Loss building blocks.
//   normal_log_prob: log N(z; 0, I) summed over the last axis (flow-model.md §4.1):
//     y = -0.5 * sum_i z_i^2 - 0.5 * D * log(2 pi),   dy/dz_i = -z_i
//   mse: y = (1/n) sum_i (a_i - b_i)^2,   dy/da_i = 2 (a_i - b_i) / n,   dy/db_i = -dy/da_i
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// Standard-normal log density of each row: z [..., D] -> [...] (so [N, D] -> [N], [D] -> []).
/// Throws ShapeError for a 0-d z.
Tensor normal_log_prob(const Tensor& z);
/// Mean squared error of a and b (same shape) -> shape [] (NaN when empty, as 0/0).
/// Throws ShapeError naming both shapes.
Tensor mse(const Tensor& a, const Tensor& b);

/// CPU kernels (loss_cpu.cpp). normal_log_prob over `rows` rows of `width` values; backward
/// ADDS -grad_y[r] * z into grad_z.
template <class T>
void normal_log_prob_forward_cpu(const T* z, T* y, int64_t rows, int64_t width);
template <class T>
void normal_log_prob_backward_cpu(const T* z, const T* grad_y, T* grad_z, int64_t rows, int64_t width);
/// mse over n pairs; backward ADDS into grad_a / grad_b (null: not needed).
template <class T>
T mse_forward_cpu(const T* a, const T* b, int64_t n);
template <class T>
void mse_backward_cpu(const T* a, const T* b, T grad_y, T* grad_a, T* grad_b, int64_t n);

/// CUDA launchers (loss_cuda.cu), same contract on device pointers; mse writes its value to the device
/// scalar y and reads dL/dy from the device scalar grad_y.
template <class T>
void normal_log_prob_forward_cuda(const T* z, T* y, int64_t rows, int64_t width);
template <class T>
void normal_log_prob_backward_cuda(const T* z, const T* grad_y, T* grad_z, int64_t rows, int64_t width);
template <class T>
void mse_forward_cuda(const T* a, const T* b, T* y, int64_t n);
template <class T>
void mse_backward_cuda(const T* a, const T* b, const T* grad_y, T* grad_a, T* grad_b, int64_t n);

}  // namespace flowjet
