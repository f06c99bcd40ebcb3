// CUDA launchers of batchnorm_relu_dropout: batch norm's kernels (batchnorm_kernels.cuh) with relu * keep
// applied before each output is stored, and in the backward dL/dv recomputed per element from x, the
// statistics and the mask. x is [N, C] (S = 1).
#include "engine/ops/batchnorm/batchnorm_kernels.cuh"
#include "engine/ops/fused/batchnorm_relu_dropout.h"
#include "engine/ops/fused/fused_math.h"

namespace flowjet {
namespace {

// keep_mask[i], or 1 without a mask.
template <class T>
__device__ inline T keep_value(const T* keep_mask, int64_t i) {
  return keep_mask ? keep_mask[i] : T(1);
}

template <class T>
struct ReluDropout {
  const T* keep_mask;
  __device__ T operator()(int64_t i, T v) const { return relu_dropout_value(v, keep_value(keep_mask, i)); }
};

// dL/dv at element i, v = batchnorm(x) recomputed.
template <class T>
struct ReluDropoutGrad {
  const T *x, *gamma, *beta, *mean, *inv_std, *keep_mask, *grad_y;
  int64_t C;
  __device__ T operator()(int64_t i) const {
    const int64_t c = i % C;
    const T v = batchnorm_value(x[i], mean[c], inv_std[c], gamma[c], beta[c]);
    return relu_dropout_grad(v, keep_value(keep_mask, i), grad_y[i]);
  }
};

}  // namespace

template <class T>
void batchnorm_relu_dropout_forward_cuda(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var,
                                         T* mean, T* inv_std, const T* keep_mask, T* y, int64_t N, int64_t C,
                                         bool is_training, double momentum, double eps) {
  batchnorm_kernels::launch_forward(x, gamma, beta, running_mean, running_var, mean, inv_std, y, N, C, int64_t(1),
                                    is_training, momentum, eps, ReluDropout<T>{keep_mask});
}

template <class T>
void batchnorm_relu_dropout_apply_cuda(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                       const T* keep_mask, T* y, int64_t N, int64_t C) {
  batchnorm_kernels::launch_apply(x, gamma, beta, mean, inv_std, y, N, C, int64_t(1), ReluDropout<T>{keep_mask});
}

template <class T>
void batchnorm_relu_dropout_backward_cuda(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                          const T* keep_mask, const T* grad_y, T* grad_x, T* grad_gamma, T* grad_beta,
                                          int64_t N, int64_t C, bool is_training) {
  batchnorm_kernels::launch_backward(x, gamma, mean, inv_std, grad_x, grad_gamma, grad_beta, N, C, int64_t(1),
                                     is_training,
                                     ReluDropoutGrad<T>{x, gamma, beta, mean, inv_std, keep_mask, grad_y, C});
}

#define FLOWJET_INSTANTIATE_BN_RELU_DROPOUT_CUDA(T)                                                                 \
  template void batchnorm_relu_dropout_forward_cuda<T>(const T*, const T*, const T*, T*, T*, T*, T*, const T*, T*,   \
                                                       int64_t, int64_t, bool, double, double);                      \
  template void batchnorm_relu_dropout_backward_cuda<T>(const T*, const T*, const T*, const T*, const T*, const T*,  \
                                                        const T*, T*, T*, T*, int64_t, int64_t, bool);     \
  template void batchnorm_relu_dropout_apply_cuda<T>(const T*, const T*, const T*, const T*, const T*, const T*,  \
                                                     T*, int64_t, int64_t);
FLOWJET_INSTANTIATE_BN_RELU_DROPOUT_CUDA(float)
FLOWJET_INSTANTIATE_BN_RELU_DROPOUT_CUDA(double)

}  // namespace flowjet
