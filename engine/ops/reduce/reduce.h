// Reductions: sum and mean over all elements or one axis, and max over one axis.
//   sum:  y = sum_k x_k           dy/dx_k = 1
//   mean: y = (1/n) sum_k x_k     dy/dx_k = 1/n
//   max:  y = max_k x_k           dy/dx_k = 1 for the first k attaining the max, 0 elsewhere
// The full reductions return a 0-d tensor (Shape{}, numel 1), as PyTorch; item() reads it.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

enum class ReduceKind { Sum, Mean, Max };

/// The tape label of a reduction ("sum", "mean", "max").
const char* reduce_name(ReduceKind kind);

/// Sum of every element -> shape [] (0 for an empty tensor).
Tensor sum(const Tensor& x);
/// Mean of every element -> shape [] (NaN for an empty tensor, as 0/0).
Tensor mean(const Tensor& x);
/// Sum along `axis` (negative counts from the end); the axis is dropped, or kept with size 1
/// when `keepdim`. Throws ShapeError for an axis out of range.
Tensor sum(const Tensor& x, int axis, bool keepdim = false);
/// Mean along `axis` (NaN where the axis is empty).
Tensor mean(const Tensor& x, int axis, bool keepdim = false);
/// Largest value along `axis`; the gradient goes to the first maximal element. NaN wins over
/// numbers. Throws ShapeError when the axis is empty.
Tensor max(const Tensor& x, int axis, bool keepdim = false);

/// CPU kernels (reduce_cpu.cpp) over x viewed as [outer, n, inner], reducing the middle axis
/// into y [outer, inner]. For Max the forward also writes the winning position into `argmax`
/// (may be null for the other kinds); backward ADDS into grad_x.
template <class T>
void reduce_forward_cpu(ReduceKind kind, const T* x, T* y, int64_t* argmax, int64_t outer, int64_t n, int64_t inner);
template <class T>
void reduce_backward_cpu(ReduceKind kind, const T* grad_y, const int64_t* argmax, T* grad_x, int64_t outer, int64_t n,
                         int64_t inner);

/// CUDA launchers (reduce_cuda.cu), same contract on device pointers (argmax is a device buffer).
template <class T>
void reduce_forward_cuda(ReduceKind kind, const T* x, T* y, int64_t* argmax, int64_t outer, int64_t n, int64_t inner);
template <class T>
void reduce_backward_cuda(ReduceKind kind, const T* grad_y, const int64_t* argmax, T* grad_x, int64_t outer, int64_t n,
                          int64_t inner);

}  // namespace flowjet
