// Element-wise clamp: y = min(max(x, min), max).
// dy/dx = 1 where min <= x <= max (boundaries included, as PyTorch), 0 where x was clamped.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// Clamps every element of x into [min, max]; NaN stays NaN (and gets gradient 0).
/// Throws Error when min > max or either bound is NaN.
Tensor clamp(const Tensor& x, double min, double max);

/// CPU kernels (clamp_cpu.cpp); backward ADDS grad_y where min <= x <= max into grad_x.
template <class T>
void clamp_forward_cpu(const T* x, T* y, int64_t n, T min, T max);
template <class T>
void clamp_backward_cpu(const T* x, const T* grad_y, T* grad_x, int64_t n, T min, T max);

/// CUDA launchers (clamp_cuda.cu), same contract on device pointers.
template <class T>
void clamp_forward_cuda(const T* x, T* y, int64_t n, T min, T max);
template <class T>
void clamp_backward_cuda(const T* x, const T* grad_y, T* grad_x, int64_t n, T min, T max);

}  // namespace flowjet
