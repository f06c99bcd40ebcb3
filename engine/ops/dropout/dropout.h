// Dropout with a given keep-mask: y = x * keep_mask, dL/dx = dL/dy * keep_mask (flow-model.md §3.4).
// The mask (0 or 1/(1-p), from random_keep_mask in engine/random/generator.h) is an input, so the op
// is deterministic and gradient-checkable; eval mode (identity) is the module's business.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// y = x * keep_mask element-wise; keep_mask has x's shape and is a constant (never differentiated).
/// Throws ShapeError naming both shapes when they differ, TypeError for mixed dtypes/devices.
Tensor dropout(const Tensor& x, const Tensor& keep_mask);

/// Throws TypeError / ShapeError (naming `op`) unless keep_mask has x's dtype, device and shape.
void check_keep_mask(const char* op, const Tensor& x, const Tensor& keep_mask);

/// CPU kernels (dropout_cpu.cpp); backward ADDS grad_y * keep_mask into grad_x.
template <class T>
void dropout_forward_cpu(const T* x, const T* keep_mask, T* y, int64_t n);
template <class T>
void dropout_backward_cpu(const T* keep_mask, const T* grad_y, T* grad_x, int64_t n);

/// CUDA launchers (dropout_cuda.cu), same contract on device pointers.
template <class T>
void dropout_forward_cuda(const T* x, const T* keep_mask, T* y, int64_t n);
template <class T>
void dropout_backward_cuda(const T* keep_mask, const T* grad_y, T* grad_x, int64_t n);

}  // namespace flowjet
