// CUDA kernels of batch norm, shared by batchnorm (batchnorm_cuda.cu) and the fused batchnorm_relu_dropout
// (engine/ops/fused/): one block per channel for the statistics and the backward sums (accumulated in
// double, as the CPU kernels), an element-wise kernel for the normalisation. N = batch, C = channels,
// S = values per (sample, channel); element (n, c, s) is at (n * C + c) * S + s. Derivation: README.md.
// The fused op plugs in the same two points as on the CPU (batchnorm_rows_cpu.h): an epilogue
// epilogue(i, v) applied to the batch-norm output before it is stored, and grad(i) = dL/d(batch-norm output).
#pragma once

#include <cmath>

#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/reduce.cuh"
#include "engine/ops/batchnorm/batchnorm_math.h"

namespace flowjet::batchnorm_kernels {

constexpr int kChannelBlock = 256;

// Index of value number m (of the M = N * S values) of channel c.
__device__ inline int64_t channel_index(int64_t m, int64_t c, int64_t C, int64_t S) {
  return (m / S * C + c) * S + m % S;
}

// Training: batch mean and biased variance of channel blockIdx.x (two passes), the running update.
template <class T>
__global__ void stats_kernel(const T* x, T* running_mean, T* running_var, T* mean, T* inv_std, int64_t N, int64_t C,
                             int64_t S, double momentum, double eps) {
  const int64_t c = blockIdx.x, M = N * S;
  double sum = 0;
  for (int64_t m = threadIdx.x; m < M; m += blockDim.x) sum += static_cast<double>(x[channel_index(m, c, C, S)]);
  const T channel_mean = static_cast<T>(cuda::block_sum(sum) / static_cast<double>(M));
  double sq = 0;
  for (int64_t m = threadIdx.x; m < M; m += blockDim.x) {
    const double d = static_cast<double>(x[channel_index(m, c, C, S)]) - static_cast<double>(channel_mean);
    sq += d * d;
  }
  sq = cuda::block_sum(sq);
  if (threadIdx.x != 0) return;
  mean[c] = channel_mean;
  inv_std[c] = static_cast<T>(1.0 / sqrt(sq / static_cast<double>(M) + eps));
  // PyTorch's running update with the unbiased variance.
  if (running_mean) running_mean[c] = static_cast<T>((1.0 - momentum) * running_mean[c] + momentum * channel_mean);
  if (running_var)
    running_var[c] = static_cast<T>((1.0 - momentum) * running_var[c] + momentum * (sq / static_cast<double>(M - 1)));
}

// Eval: the running statistics are the statistics.
template <class T>
__global__ void eval_stats_kernel(const T* running_mean, const T* running_var, T* mean, T* inv_std, int64_t C,
                                  double eps) {
  FLOWJET_KERNEL_LOOP(c, C) {
    mean[c] = running_mean[c];
    inv_std[c] = static_cast<T>(1.0 / sqrt(static_cast<double>(running_var[c]) + eps));
  }
}

// y[i] = epilogue(i, (x - mean) * inv_std * gamma + beta)
template <class T, class Epilogue>
__global__ void forward_kernel(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std, T* y,
                               int64_t count, int64_t C, int64_t S, Epilogue epilogue) {
  FLOWJET_KERNEL_LOOP(i, count) {
    const int64_t c = i / S % C;
    y[i] = epilogue(i, batchnorm_value(x[i], mean[c], inv_std[c], gamma[c], beta[c]));
  }
}

// One block per channel: sum dy and sum dy * xhat, then dL/dbeta, dL/dgamma and dL/dx (README.md, step 5).
template <class T, class GradY>
__global__ void backward_kernel(const T* x, const T* gamma, const T* mean, const T* inv_std, T* grad_x, T* grad_gamma,
                                T* grad_beta, int64_t N, int64_t C, int64_t S, bool is_training, GradY grad) {
  const int64_t c = blockIdx.x, M = N * S;
  const double mu = static_cast<double>(mean[c]), istd = static_cast<double>(inv_std[c]);
  double sum_dy = 0, sum_dy_xhat = 0;
  for (int64_t m = threadIdx.x; m < M; m += blockDim.x) {
    const int64_t i = channel_index(m, c, C, S);
    const double dy = static_cast<double>(grad(i));
    sum_dy += dy;
    sum_dy_xhat += dy * ((static_cast<double>(x[i]) - mu) * istd);
  }
  sum_dy = cuda::block_sum(sum_dy);
  sum_dy_xhat = cuda::block_sum(sum_dy_xhat);
  if (threadIdx.x == 0) {
    if (grad_beta) grad_beta[c] += static_cast<T>(sum_dy);         // dL/dbeta = sum dy
    if (grad_gamma) grad_gamma[c] += static_cast<T>(sum_dy_xhat);  // dL/dgamma = sum dy * xhat
  }
  if (!grad_x) return;
  const double scale = static_cast<double>(gamma[c]) * istd;
  const double mean_dy = sum_dy / static_cast<double>(M), mean_dy_xhat = sum_dy_xhat / static_cast<double>(M);
  for (int64_t m = threadIdx.x; m < M; m += blockDim.x) {
    const int64_t i = channel_index(m, c, C, S);
    if (is_training) {
      const double xhat = (static_cast<double>(x[i]) - mu) * istd;
      grad_x[i] += static_cast<T>(batchnorm_grad_x(static_cast<double>(grad(i)), xhat, scale, mean_dy, mean_dy_xhat));
    } else {
      grad_x[i] += grad(i) * gamma[c] * inv_std[c];  // eval: mean and inv_std are constants
    }
  }
}

/// y = epilogue(i, batch-norm output) with the given statistics: the last step of launch_forward, and on
/// its own what a fused op runs to recompute the output it did not keep.
template <class T, class Epilogue>
void launch_apply(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std, T* y, int64_t N,
                  int64_t C, int64_t S, Epilogue epilogue) {
  const int64_t count = N * C * S;
  if (count == 0) return;
  forward_kernel<T><<<cuda::grid_for(count), cuda::kBlockSize, 0, cuda::stream()>>>(x, gamma, beta, mean, inv_std, y,
                                                                                     count, C, S, epilogue);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

/// Statistics (batch or running) into mean, inv_std, then y = epilogue(i, batch-norm output).
template <class T, class Epilogue>
void launch_forward(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var, T* mean, T* inv_std,
                    T* y, int64_t N, int64_t C, int64_t S, bool is_training, double momentum, double eps,
                    Epilogue epilogue) {
  if (C == 0) return;
  cudaStream_t s = cuda::stream();
  if (is_training) {
    stats_kernel<T><<<static_cast<unsigned>(C), kChannelBlock, 0, s>>>(x, running_mean, running_var, mean, inv_std, N,
                                                                       C, S, momentum, eps);
  } else {
    eval_stats_kernel<T><<<cuda::grid_for(C), cuda::kBlockSize, 0, s>>>(running_mean, running_var, mean, inv_std, C,
                                                                         eps);
  }
  FLOWJET_CUDA_CHECK_LAUNCH();
  launch_apply(x, gamma, beta, mean, inv_std, y, N, C, S, epilogue);
}

/// ADDS dL/dx, dL/dgamma, dL/dbeta (null: not needed) for dL/d(batch-norm output) = grad(i).
template <class T, class GradY>
void launch_backward(const T* x, const T* gamma, const T* mean, const T* inv_std, T* grad_x, T* grad_gamma,
                     T* grad_beta, int64_t N, int64_t C, int64_t S, bool is_training, GradY grad) {
  if (C == 0) return;
  backward_kernel<T><<<static_cast<unsigned>(C), kChannelBlock, 0, cuda::stream()>>>(
      x, gamma, mean, inv_std, grad_x, grad_gamma, grad_beta, N, C, S, is_training, grad);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

}  // namespace flowjet::batchnorm_kernels
