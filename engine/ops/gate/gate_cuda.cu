// CUDA kernels of the fused gate x * sigmoid(g): one thread per output element of `rows` rows of `width`;
// row r of x and g (and of their gradients) starts at r * in_stride, so glu reads both halves in place.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/gate/gate.h"
#include "engine/ops/gate/gate_math.h"
#include "engine/ops/unary/logistic.h"

namespace flowjet {
namespace {

// ---- forward ----

template <class T>
__global__ void gate_forward_kernel(const T* x, const T* g, T* y, int64_t count, int64_t width, int64_t in_stride) {
  FLOWJET_KERNEL_LOOP(i, count) {
    const int64_t in = i / width * in_stride + i % width;
    y[i] = x[in] * sigmoid_value(g[in]);
  }
}

// ---- backward ----

template <class T>
__global__ void gate_backward_kernel(const T* x, const T* g, const T* grad_y, T* grad_x, T* grad_g, int64_t count,
                                     int64_t width, int64_t in_stride) {
  FLOWJET_KERNEL_LOOP(i, count) {
    const int64_t in = i / width * in_stride + i % width;
    const T s = sigmoid_value(g[in]);
    if (grad_x) grad_x[in] += gate_grad_x(s, grad_y[i]);
    if (grad_g) grad_g[in] += gate_grad_g(x[in], s, grad_y[i]);
  }
}

}  // namespace

// ---- launchers ----

template <class T>
void gate_forward_cuda(const T* x, const T* g, T* y, int64_t rows, int64_t width, int64_t in_stride) {
  const int64_t count = rows * width;
  if (count == 0) return;
  gate_forward_kernel<T>
      <<<cuda::grid_for(count), cuda::kBlockSize, 0, cuda::stream()>>>(x, g, y, count, width, in_stride);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void gate_backward_cuda(const T* x, const T* g, const T* grad_y, T* grad_x, T* grad_g, int64_t rows, int64_t width,
                        int64_t in_stride) {
  const int64_t count = rows * width;
  if (count == 0 || (!grad_x && !grad_g)) return;
  gate_backward_kernel<T><<<cuda::grid_for(count), cuda::kBlockSize, 0, cuda::stream()>>>(x, g, grad_y, grad_x, grad_g,
                                                                                          count, width, in_stride);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_GATE_CUDA(T)                                                 \
  template void gate_forward_cuda<T>(const T*, const T*, T*, int64_t, int64_t, int64_t); \
  template void gate_backward_cuda<T>(const T*, const T*, const T*, T*, T*, int64_t, int64_t, int64_t);
FLOWJET_INSTANTIATE_GATE_CUDA(float)
FLOWJET_INSTANTIATE_GATE_CUDA(double)

}  // namespace flowjet
