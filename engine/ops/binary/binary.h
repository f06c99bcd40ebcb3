// Element-wise arithmetic of two tensors with numpy broadcasting (up to 4 dims), and with scalars.
//   add: y = a + b   dy/da = 1,   dy/db = 1
//   sub: y = a - b   dy/da = 1,   dy/db = -1
//   mul: y = a * b   dy/da = b,   dy/db = a
//   div: y = a / b   dy/da = 1/b, dy/db = -a/b^2
// Backward sums the gradient over every dim along which an operand was stretched.
#pragma once

#include <array>

#include "engine/ops/binary/broadcast.h"
#include "engine/ops/unary/unary.h"
#include "engine/tensor/tensor.h"

namespace flowjet {

enum class BinaryKind { Add, Sub, Mul, Div };

/// The tape label of a binary op ("add", "sub", "mul", "div").
const char* binary_name(BinaryKind kind);

/// y = a (op) b with numpy broadcasting: shapes align from the last dim; each dim pair must be
/// equal or contain a 1, which stretches ([N, D] with [D], [1, D], [N, 1], [1] or [] ...).
/// The result has the broadcast shape. Throws ShapeError naming the op and both shapes,
/// TypeError on mixed dtypes or devices.
Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b);

inline Tensor add(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Add, a, b); }
inline Tensor sub(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Sub, a, b); }
inline Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Mul, a, b); }
/// a / b; division by zero follows IEEE (inf or NaN).
inline Tensor div(const Tensor& a, const Tensor& b) { return binary(BinaryKind::Div, a, b); }

/// y = x + s (tape label "add_scalar").
Tensor add_scalar(const Tensor& x, double s);
/// y = x * s (tape label "mul_scalar").
Tensor mul_scalar(const Tensor& x, double s);
/// y = s - x (tape label "rsub_scalar").
Tensor rsub_scalar(double s, const Tensor& x);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& x, double s) { return add_scalar(x, s); }
inline Tensor operator+(double s, const Tensor& x) { return add_scalar(x, s); }
inline Tensor operator-(const Tensor& x, double s) { return add_scalar(x, -s); }
inline Tensor operator-(double s, const Tensor& x) { return rsub_scalar(s, x); }
inline Tensor operator*(const Tensor& x, double s) { return mul_scalar(x, s); }
inline Tensor operator*(double s, const Tensor& x) { return mul_scalar(x, s); }
/// x / s is computed as x * (1/s): exact for powers of two, otherwise within one rounding of x / s.
inline Tensor operator/(const Tensor& x, double s) { return mul_scalar(x, 1.0 / s); }

/// CPU kernels (binary_cpu.cpp). Backward ADDS into grad_a / grad_b; a null pointer means that
/// operand needs no gradient.
template <class T>
void binary_forward_cpu(BinaryKind kind, const T* a, const T* b, T* y, const BroadcastPlan& plan);
template <class T>
void binary_backward_cpu(BinaryKind kind, const T* a, const T* b, const T* grad_y, T* grad_a, T* grad_b,
                         const BroadcastPlan& plan);
/// y = scale * x + shift, and its backward grad_x += scale * grad_y (the scalar forms).
template <class T>
void scalar_affine_forward_cpu(const T* x, T* y, int64_t n, T scale, T shift);
template <class T>
void scalar_affine_backward_cpu(const T* grad_y, T* grad_x, int64_t n, T scale);

/// CUDA launchers (binary_cuda.cu), same contract on device pointers.
template <class T>
void binary_forward_cuda(BinaryKind kind, const T* a, const T* b, T* y, const BroadcastPlan& plan);
template <class T>
void binary_backward_cuda(BinaryKind kind, const T* a, const T* b, const T* grad_y, T* grad_a, T* grad_b,
                          const BroadcastPlan& plan);
template <class T>
void scalar_affine_forward_cuda(const T* x, T* y, int64_t n, T scale, T shift);
template <class T>
void scalar_affine_backward_cuda(const T* grad_y, T* grad_x, int64_t n, T scale);

}  // namespace flowjet
