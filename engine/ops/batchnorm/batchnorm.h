// Batch normalisation over the channel axis 1, as PyTorch BatchNorm1d/BatchNorm2d (flow-model.md §3.3).
//   x [batch, channels], [batch, channels, length] or [batch, channels, height, width]; statistics per
//   channel over every other axis (M = batch * length, or batch * height * width, values per channel).
//   y = (x - mean) * inv_std * gamma + beta,  inv_std = 1 / sqrt(var + eps)
//   training: mean, var = batch mean and BIASED batch variance; running stats updated in place,
//     running = (1 - momentum) * running + momentum * stat, with the UNBIASED variance (divide by M - 1)
//   eval: mean, var = running_mean, running_var (nothing updated)
// The backward pass is derived step by step in README.md next to this file.
#pragma once

#include <cstdint>

#include "engine/ops/batchnorm/stats_reducer.h"
#include "engine/tensor/tensor.h"

namespace flowjet {

/// What the backward pass of batchnorm reads: per-channel mean and 1/sqrt(var + eps) of the forward
/// pass (batch statistics in training mode, running statistics in eval mode), both [channels].
struct BatchnormSaved {
  Tensor x;
  Tensor gamma;
  Tensor mean;
  Tensor inv_std;
  bool is_training = false;
  BatchStatsReducer* reducer = nullptr;  // synchronised batch norm: the forward's, for the backward
};

/// Normalises x per channel (axis 1) and applies the affine map gamma, beta ([channels] each).
/// running_mean, running_var ([channels]) are read in eval mode and updated in place in training mode;
/// they are buffers, never differentiated. Gradients flow to x, gamma and beta (in training mode through
/// the batch statistics). Throws ShapeError for rank < 2 or > 4, parameter shapes other than [channels],
/// or training with fewer than 2 values per channel (as PyTorch); TypeError for mixed dtypes/devices.
/// reducer (synchronised batch norm, stats_reducer.h; null: none) makes training mode use the statistics
/// of every rank's batch, in the forward and in the backward; it must outlive the backward pass. It
/// needs x [batch, channels] on the CPU (ShapeError, ConfigError otherwise).
Tensor batchnorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                 const Tensor& running_var, bool is_training, double momentum, double eps,
                 BatchStatsReducer* reducer = nullptr);

/// The argument checks of batchnorm, shared with the fused batchnorm_relu_dropout; `op` names the caller in
/// the errors. Throws what batchnorm() documents.
void check_batchnorm_arguments(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const Tensor& running_mean, const Tensor& running_var, bool is_training,
                               const BatchStatsReducer* reducer = nullptr);

/// CPU kernels (batchnorm_cpu.cpp). N = batch, C = channels, S = values per (sample, channel): 1, length,
/// or height * width. Forward writes y, the saved mean and inv_std, and (training) the running statistics.
/// reducer: null, or (S = 1 only) synchronised batch norm.
template <class T>
void batchnorm_forward_cpu(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var, T* mean,
                           T* inv_std, T* y, int64_t N, int64_t C, int64_t S, bool is_training, double momentum,
                           double eps, BatchStatsReducer* reducer);
/// Backward ADDS into grad_x, grad_gamma, grad_beta; a null pointer means that input needs no gradient.
template <class T>
void batchnorm_backward_cpu(const T* x, const T* gamma, const T* mean, const T* inv_std, const T* grad_y, T* grad_x,
                            T* grad_gamma, T* grad_beta, int64_t N, int64_t C, int64_t S, bool is_training,
                            BatchStatsReducer* reducer);

/// CUDA launchers (batchnorm_cuda.cu), same contract on device pointers, without a stats reducer.
template <class T>
void batchnorm_forward_cuda(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var, T* mean,
                            T* inv_std, T* y, int64_t N, int64_t C, int64_t S, bool is_training, double momentum,
                            double eps);
template <class T>
void batchnorm_backward_cuda(const T* x, const T* gamma, const T* mean, const T* inv_std, const T* grad_y, T* grad_x,
                             T* grad_gamma, T* grad_beta, int64_t N, int64_t C, int64_t S, bool is_training);

}  // namespace flowjet
