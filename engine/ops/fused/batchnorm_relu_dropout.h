// Batch norm, ReLU and dropout fused into one pass each way, for the pre-activation residual blocks of
// the ResidualNet conditioner (flows/conditioner/residual_net.cpp):
//   y = relu(batchnorm(x)) * keep_mask          (keep_mask undefined: y = relu(batchnorm(x)))
// batchnorm exactly as engine/ops/batchnorm/batchnorm.h (training: batch statistics, running statistics
// updated in place; eval: running statistics), on x [batch, channels] only.
// Backward, with v = batchnorm(x) and dy = dL/dy:
//   dL/dv = dy * keep where v > 0, else 0;  then batchnorm's backward (engine/ops/batchnorm/README.md).
// Only x, gamma, beta, the statistics and the mask are kept: v, the ReLU mask and xhat are recomputed.
#pragma once

#include <cstdint>

#include "engine/ops/batchnorm/stats_reducer.h"
#include "engine/tensor/tensor.h"

namespace flowjet {

/// relu(batchnorm(x, gamma, beta, ...)) * keep_mask for x [batch, channels]. keep_mask (x's shape, a
/// constant, from random_keep_mask) may be undefined for no dropout. Gradients flow to x, gamma, beta.
/// reducer: synchronised batch norm, as batchnorm()'s (null: none).
/// Throws ShapeError for x that is not 2-d, the errors of batchnorm(), or a mask of another shape;
/// TypeError for mixed dtypes/devices.
Tensor batchnorm_relu_dropout(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                              const Tensor& running_var, bool is_training, double momentum, double eps,
                              const Tensor& keep_mask = Tensor(), BatchStatsReducer* reducer = nullptr);

/// CPU kernels (batchnorm_relu_dropout_cpu.cpp) on x [N, C]; keep_mask may be null (no dropout). Forward
/// writes y, the saved mean and inv_std and (training) the running statistics; backward ADDS into grad_x,
/// grad_gamma, grad_beta (null: not needed). reducer: null, or synchronised batch norm.
template <class T>
void batchnorm_relu_dropout_forward_cpu(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var,
                                        T* mean, T* inv_std, const T* keep_mask, T* y, int64_t N, int64_t C,
                                        bool is_training, double momentum, double eps, BatchStatsReducer* reducer);
template <class T>
void batchnorm_relu_dropout_backward_cpu(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                         const T* keep_mask, const T* grad_y, T* grad_x, T* grad_gamma, T* grad_beta,
                                         int64_t N, int64_t C, bool is_training, BatchStatsReducer* reducer);
/// The forward's y from statistics it already computed (mean, inv_std), without the statistics pass or a
/// running update: for norm_relu_linear, which recomputes y in its backward instead of keeping it.
template <class T>
void batchnorm_relu_dropout_apply_cpu(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                      const T* keep_mask, T* y, int64_t N, int64_t C);

/// CUDA launchers (batchnorm_relu_dropout_cuda.cu), same contract on device pointers, without a reducer.
template <class T>
void batchnorm_relu_dropout_forward_cuda(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var,
                                         T* mean, T* inv_std, const T* keep_mask, T* y, int64_t N, int64_t C,
                                         bool is_training, double momentum, double eps);
template <class T>
void batchnorm_relu_dropout_backward_cuda(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                          const T* keep_mask, const T* grad_y, T* grad_x, T* grad_gamma, T* grad_beta,
                                          int64_t N, int64_t C, bool is_training);
template <class T>
void batchnorm_relu_dropout_apply_cuda(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                       const T* keep_mask, T* y, int64_t N, int64_t C);

}  // namespace flowjet
