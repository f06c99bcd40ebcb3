// CUDA kernels of gate_residual: one thread per element, formulas from fused_math.h and gate_math.h.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/fused/fused_math.h"
#include "engine/ops/fused/gate_residual.h"
#include "engine/ops/unary/logistic.h"

namespace flowjet {
namespace {

template <class T>
__global__ void gate_residual_forward_kernel(const T* h, const T* t, const T* g, T* y, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { y[i] = gate_residual_value(h[i], t[i], sigmoid_value(g[i])); }
}

// out = value into a fresh buffer (store), out += value otherwise.
template <class T>
__device__ inline void put(T& out, bool store, T value) {
  out = store ? value : out + value;
}

template <class T>
__global__ void gate_residual_backward_kernel(const T* t, const T* g, const T* grad_y, T* grad_h, T* grad_t, T* grad_g,
                                              int64_t n, GateResidualOverwrite overwrite) {
  FLOWJET_KERNEL_LOOP(i, n) {
    if (grad_h) put(grad_h[i], overwrite.h, grad_y[i]);
    const T s = sigmoid_value(g[i]);
    if (grad_t) put(grad_t[i], overwrite.t, gate_grad_x(s, grad_y[i]));
    if (grad_g) put(grad_g[i], overwrite.g, gate_grad_g(t[i], s, grad_y[i]));
  }
}

}  // namespace

template <class T>
void gate_residual_forward_cuda(const T* h, const T* t, const T* g, T* y, int64_t n) {
  if (n == 0) return;
  gate_residual_forward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(h, t, g, y, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void gate_residual_backward_cuda(const T* t, const T* g, const T* grad_y, T* grad_h, T* grad_t, T* grad_g,
                                 int64_t n, GateResidualOverwrite overwrite) {
  if (n == 0) return;
  gate_residual_backward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(
      t, g, grad_y, grad_h, grad_t, grad_g, n, overwrite);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_GATE_RESIDUAL_CUDA(T)                                         \
  template void gate_residual_forward_cuda<T>(const T*, const T*, const T*, T*, int64_t); \
  template void gate_residual_backward_cuda<T>(const T*, const T*, const T*, T*, T*, T*, int64_t, \
                                              GateResidualOverwrite);
FLOWJET_INSTANTIATE_GATE_RESIDUAL_CUDA(float)
FLOWJET_INSTANTIATE_GATE_RESIDUAL_CUDA(double)

}  // namespace flowjet
