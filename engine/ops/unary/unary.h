// Element-wise functions of one tensor: y = f(x), dL/dx = dL/dy * f'(x). Any shape, f32 or f64.
// softplus follows PyTorch: log(1 + exp(x)), but exactly x when x > 20 (flow-model.md conventions).
#pragma once

#include "engine/tensor/tensor.h"

namespace flowjet {

enum class UnaryKind { Neg, Exp, Log, Sqrt, Square, Abs, Sin, Cos, Sinh, Cosh, Tanh, Relu, Sigmoid, Softplus };

/// The tape label of a unary op ("exp", "softplus", ...).
const char* unary_name(UnaryKind kind);

/// y = f(x) for the given kind; recorded when x requires a gradient.
Tensor unary(UnaryKind kind, const Tensor& x);

inline Tensor neg(const Tensor& x) { return unary(UnaryKind::Neg, x); }
inline Tensor exp(const Tensor& x) { return unary(UnaryKind::Exp, x); }
/// Natural log; log(0) = -inf, log(x<0) = NaN as in C.
inline Tensor log(const Tensor& x) { return unary(UnaryKind::Log, x); }
inline Tensor sqrt(const Tensor& x) { return unary(UnaryKind::Sqrt, x); }
inline Tensor square(const Tensor& x) { return unary(UnaryKind::Square, x); }
/// |x|; its derivative at 0 is taken as 0.
inline Tensor abs(const Tensor& x) { return unary(UnaryKind::Abs, x); }
inline Tensor sin(const Tensor& x) { return unary(UnaryKind::Sin, x); }
inline Tensor cos(const Tensor& x) { return unary(UnaryKind::Cos, x); }
inline Tensor sinh(const Tensor& x) { return unary(UnaryKind::Sinh, x); }
inline Tensor cosh(const Tensor& x) { return unary(UnaryKind::Cosh, x); }
inline Tensor tanh(const Tensor& x) { return unary(UnaryKind::Tanh, x); }
/// max(x, 0); derivative 0 at x = 0 (as PyTorch).
inline Tensor relu(const Tensor& x) { return unary(UnaryKind::Relu, x); }
inline Tensor sigmoid(const Tensor& x) { return unary(UnaryKind::Sigmoid, x); }
inline Tensor softplus(const Tensor& x) { return unary(UnaryKind::Softplus, x); }

/// CPU kernels (unary_cpu.cpp). Backward ADDS grad_y * f'(x) into grad_x.
template <class T>
void unary_forward_cpu(UnaryKind kind, const T* x, T* y, int64_t n);
template <class T>
void unary_backward_cpu(UnaryKind kind, const T* x, const T* y, const T* grad_y, T* grad_x, int64_t n);

/// CUDA launchers (unary_cuda.cu), same contract on device pointers, queued on flowjet's stream.
template <class T>
void unary_forward_cuda(UnaryKind kind, const T* x, T* y, int64_t n);
template <class T>
void unary_backward_cuda(UnaryKind kind, const T* x, const T* y, const T* grad_y, T* grad_x, int64_t n);

}  // namespace flowjet
