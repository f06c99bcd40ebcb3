// CUDA kernels of norm_relu_linear without batch norm: relu * keep and its gradient, one thread per
// element, formulas from fused_math.h (the batch-norm case runs batchnorm_relu_dropout's kernels, the
// product linear's cuBLAS calls).
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/fused/fused_math.h"
#include "engine/ops/fused/norm_relu_linear.h"

namespace flowjet {
namespace {

// keep_mask[i], or 1 without a mask.
template <class T>
__device__ inline T keep_at(const T* keep_mask, int64_t i) {
  return keep_mask ? keep_mask[i] : T(1);
}

template <class T>
__global__ void relu_dropout_forward_kernel(const T* x, const T* keep_mask, T* t, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { t[i] = relu_dropout_value(x[i], keep_at(keep_mask, i)); }
}

template <class T>
__global__ void relu_dropout_backward_kernel(const T* x, const T* keep_mask, const T* grad_t, T* grad_x, int64_t n) {
  FLOWJET_KERNEL_LOOP(i, n) { grad_x[i] += relu_dropout_grad(x[i], keep_at(keep_mask, i), grad_t[i]); }
}

}  // namespace

template <class T>
void relu_dropout_forward_cuda(const T* x, const T* keep_mask, T* t, int64_t n) {
  if (n == 0) return;
  relu_dropout_forward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(x, keep_mask, t, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void relu_dropout_backward_cuda(const T* x, const T* keep_mask, const T* grad_t, T* grad_x, int64_t n) {
  if (n == 0) return;
  relu_dropout_backward_kernel<T>
      <<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(x, keep_mask, grad_t, grad_x, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_RELU_DROPOUT_CUDA(T)                                   \
  template void relu_dropout_forward_cuda<T>(const T*, const T*, T*, int64_t); \
  template void relu_dropout_backward_cuda<T>(const T*, const T*, const T*, T*, int64_t);
FLOWJET_INSTANTIATE_RELU_DROPOUT_CUDA(float)
FLOWJET_INSTANTIATE_RELU_DROPOUT_CUDA(double)

}  // namespace flowjet
