// CUDA kernels of dropout: the element-wise product with the keep-mask and its backward.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/dropout/dropout.h"

namespace flowjet {
namespace {

// ---- forward ----

template <class T>
__global__ void dropout_forward_kernel(const T* x, const T* keep_mask, T* y, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { y[i] = x[i] * keep_mask[i]; }
}

// ---- backward ----

template <class T>
__global__ void dropout_backward_kernel(const T* keep_mask, const T* grad_y, T* grad_x, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { grad_x[i] += grad_y[i] * keep_mask[i]; }  // dL/dx = dL/dy * keep_mask
}

}  // namespace

// ---- launchers ----

template <class T>
void dropout_forward_cuda(const T* x, const T* keep_mask, T* y, int64_t n) {
  if (n == 0) return;
  dropout_forward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(x, keep_mask, y, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void dropout_backward_cuda(const T* keep_mask, const T* grad_y, T* grad_x, int64_t n) {
  if (n == 0) return;
  dropout_backward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(keep_mask, grad_y, grad_x, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_DROPOUT_CUDA(T)                               \
  template void dropout_forward_cuda<T>(const T*, const T*, T*, int64_t); \
  template void dropout_backward_cuda<T>(const T*, const T*, T*, int64_t);
FLOWJET_INSTANTIATE_DROPOUT_CUDA(float)
FLOWJET_INSTANTIATE_DROPOUT_CUDA(double)

}  // namespace flowjet
