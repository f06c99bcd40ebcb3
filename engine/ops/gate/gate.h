// Gated linear units, fused (nflows ResidualBlock's GLU gating):
//   gate(x, g) = x * sigmoid(g)       d/dx = sigmoid(g),  d/dg = x * sigmoid(g) * (1 - sigmoid(g))
//   glu(t)     = gate(first half of t's last axis, second half)   (torch.nn.functional.glu, dim=-1)
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// x * sigmoid(g) for x and g of the same shape. Throws ShapeError naming both shapes.
Tensor gate(const Tensor& x, const Tensor& g);
/// t [..., 2H] -> [..., H]: t[..., :H] * sigmoid(t[..., H:]). Throws ShapeError when the last
/// axis is odd or t is 0-d.
Tensor glu(const Tensor& t);

/// CPU kernels (gate_cpu.cpp) over `rows` rows of `width` outputs; row r of x and g starts at
/// r * in_stride, of y at r * width. Backward ADDS into grad_x / grad_g (null: not needed).
template <class T>
void gate_forward_cpu(const T* x, const T* g, T* y, int64_t rows, int64_t width, int64_t in_stride);
template <class T>
void gate_backward_cpu(const T* x, const T* g, const T* grad_y, T* grad_x, T* grad_g, int64_t rows, int64_t width,
                       int64_t in_stride);

/// CUDA launchers (gate_cuda.cu), same contract on device pointers.
template <class T>
void gate_forward_cuda(const T* x, const T* g, T* y, int64_t rows, int64_t width, int64_t in_stride);
template <class T>
void gate_backward_cuda(const T* x, const T* g, const T* grad_y, T* grad_x, T* grad_g, int64_t rows, int64_t width,
                        int64_t in_stride);

}  // namespace flowjet
