// CUDA kernels of the unary ops: one thread per element, the same formulas as unary_cpu.cpp. The math
// functions are called as ::exp etc. because flowjet::exp(Tensor) would hide CUDA's overloads.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/unary/unary.h"

namespace flowjet {
namespace {

template <class T>
__device__ T softplus_value(T x) {
  return x > T(20) ? x : ::log1p(::exp(x));  // PyTorch's softplus, threshold 20
}

template <class T>
__device__ T sigmoid_value(T x) {
  if (x >= T(0)) return T(1) / (T(1) + ::exp(-x));  // two branches so exp never overflows
  const T e = ::exp(x);
  return e / (T(1) + e);
}

template <class T>
__device__ T apply(UnaryKind kind, T x) {
  switch (kind) {
    case UnaryKind::Neg: return -x;
    case UnaryKind::Exp: return ::exp(x);
    case UnaryKind::Log: return ::log(x);
    case UnaryKind::Sqrt: return ::sqrt(x);
    case UnaryKind::Square: return x * x;
    case UnaryKind::Abs: return ::fabs(x);
    case UnaryKind::Sin: return ::sin(x);
    case UnaryKind::Cos: return ::cos(x);
    case UnaryKind::Sinh: return ::sinh(x);
    case UnaryKind::Cosh: return ::cosh(x);
    case UnaryKind::Tanh: return ::tanh(x);
    case UnaryKind::Relu: return x > T(0) ? x : T(0);
    case UnaryKind::Sigmoid: return sigmoid_value(x);
    case UnaryKind::Softplus: return softplus_value(x);
  }
  return x;
}

// dy/dx, from x or the forward output y as in unary_cpu.cpp.
template <class T>
__device__ T derivative(UnaryKind kind, T x, T y) {
  switch (kind) {
    case UnaryKind::Neg: return T(-1);
    case UnaryKind::Exp: return y;
    case UnaryKind::Log: return T(1) / x;
    case UnaryKind::Sqrt: return T(0.5) / y;
    case UnaryKind::Square: return T(2) * x;
    case UnaryKind::Abs: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
    case UnaryKind::Sin: return ::cos(x);
    case UnaryKind::Cos: return -::sin(x);
    case UnaryKind::Sinh: return ::cosh(x);
    case UnaryKind::Cosh: return ::sinh(x);
    case UnaryKind::Tanh: return T(1) - y * y;
    case UnaryKind::Relu: return x > T(0) ? T(1) : T(0);
    case UnaryKind::Sigmoid: return y * (T(1) - y);
    case UnaryKind::Softplus: return x > T(20) ? T(1) : sigmoid_value(x);  // d/dx ::log(1+e^x) = sigmoid(x)
  }
  return T(0);
}

// ---- forward ----

template <class T>
__global__ void unary_forward_kernel(UnaryKind kind, const T* x, T* y, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { y[i] = apply(kind, x[i]); }
}

// ---- backward ----

template <class T>
__global__ void unary_backward_kernel(UnaryKind kind, const T* x, const T* y, const T* grad_y, T* grad_x, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { grad_x[i] += grad_y[i] * derivative(kind, x[i], y[i]); }
}

}  // namespace

// ---- launchers ----

template <class T>
void unary_forward_cuda(UnaryKind kind, const T* x, T* y, int64_t n) {
  if (n == 0) return;
  unary_forward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(kind, x, y, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void unary_backward_cuda(UnaryKind kind, const T* x, const T* y, const T* grad_y, T* grad_x, int64_t n) {
  if (n == 0) return;
  unary_backward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(kind, x, y, grad_y, grad_x, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template void unary_forward_cuda<float>(UnaryKind, const float*, float*, int64_t);
template void unary_forward_cuda<double>(UnaryKind, const double*, double*, int64_t);
template void unary_backward_cuda<float>(UnaryKind, const float*, const float*, const float*, float*, int64_t);
template void unary_backward_cuda<double>(UnaryKind, const double*, const double*, const double*, double*, int64_t);

}  // namespace flowjet
