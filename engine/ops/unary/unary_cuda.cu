// CUDA kernels of the unary ops: one thread per element, the formulas of unary_math.h shared with the CPU.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/unary/unary.h"
#include "engine/ops/unary/unary_math.h"

namespace flowjet {
namespace {

// ---- forward ----

template <class T>
__global__ void unary_forward_kernel(UnaryKind kind, const T* x, T* y, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { y[i] = unary_value(kind, x[i]); }
}

// ---- backward ----

template <class T>
__global__ void unary_backward_kernel(UnaryKind kind, const T* x, const T* y, const T* grad_y, T* grad_x, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { grad_x[i] += grad_y[i] * unary_derivative(kind, x[i], y[i]); }
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
