// CUDA kernels of batchnorm: one block per channel for the statistics and the backward sums (accumulated
// in double, as the CPU kernels), element-wise kernels for the normalisation. N = batch, C = channels,
// S = values per (sample, channel); element (n, c, s) is at (n * C + c) * S + s. Derivation: README.md.
#include <cmath>

#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/reduce.cuh"
#include "engine/ops/batchnorm/batchnorm.h"

namespace flowjet {
namespace {

constexpr int kChannelBlock = 256;

// Index of value number m (of the M = N * S values) of channel c.
__device__ inline int64_t channel_index(int64_t m, int64_t c, int64_t C, int64_t S) {
  return (m / S * C + c) * S + m % S;
}

// ---- forward ----

// Training: batch mean and biased variance of channel blockIdx.x (two passes), the running update.
template <class T>
__global__ void batchnorm_stats_kernel(const T* x, T* running_mean, T* running_var, T* mean, T* inv_std, int64_t N,
                                       int64_t C, int64_t S, double momentum, double eps) {
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
__global__ void batchnorm_eval_stats_kernel(const T* running_mean, const T* running_var, T* mean, T* inv_std, int64_t C,
                                            double eps) {
  FLOWJET_KERNEL_LOOP(c, C) {
    mean[c] = running_mean[c];
    inv_std[c] = static_cast<T>(1.0 / sqrt(static_cast<double>(running_var[c]) + eps));
  }
}

// y = (x - mean) * inv_std * gamma + beta
template <class T>
__global__ void batchnorm_forward_kernel(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                         T* y, int64_t count, int64_t C, int64_t S) {
  FLOWJET_KERNEL_LOOP(i, count) {
    const int64_t c = i / S % C;
    y[i] = (x[i] - mean[c]) * inv_std[c] * gamma[c] + beta[c];
  }
}

// ---- backward ----

// One block per channel: sum dy and sum dy * xhat, then dL/dbeta, dL/dgamma and dL/dx (README.md, step 5).
template <class T>
__global__ void batchnorm_backward_kernel(const T* x, const T* gamma, const T* mean, const T* inv_std, const T* grad_y,
                                          T* grad_x, T* grad_gamma, T* grad_beta, int64_t N, int64_t C, int64_t S,
                                          bool is_training) {
  const int64_t c = blockIdx.x, M = N * S;
  const double mu = static_cast<double>(mean[c]), istd = static_cast<double>(inv_std[c]);
  double sum_dy = 0, sum_dy_xhat = 0;
  for (int64_t m = threadIdx.x; m < M; m += blockDim.x) {
    const int64_t i = channel_index(m, c, C, S);
    const double dy = static_cast<double>(grad_y[i]);
    sum_dy += dy;
    sum_dy_xhat += dy * (static_cast<double>(x[i]) - mu) * istd;
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
      // dL/dx = gamma * inv_std * (dy - mean(dy) - xhat * mean(dy * xhat))
      const double xhat = (static_cast<double>(x[i]) - mu) * istd;
      grad_x[i] += static_cast<T>(scale * (static_cast<double>(grad_y[i]) - mean_dy - xhat * mean_dy_xhat));
    } else {
      grad_x[i] += grad_y[i] * gamma[c] * inv_std[c];  // eval: mean and inv_std are constants
    }
  }
}

}  // namespace

// ---- launchers ----

template <class T>
void batchnorm_forward_cuda(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var, T* mean,
                            T* inv_std, T* y, int64_t N, int64_t C, int64_t S, bool is_training, double momentum,
                            double eps) {
  if (C == 0) return;
  cudaStream_t s = cuda::stream();
  if (is_training) {
    batchnorm_stats_kernel<T><<<static_cast<unsigned>(C), kChannelBlock, 0, s>>>(x, running_mean, running_var, mean,
                                                                                 inv_std, N, C, S, momentum, eps);
  } else {
    batchnorm_eval_stats_kernel<T>
        <<<cuda::grid_for(C), cuda::kBlockSize, 0, s>>>(running_mean, running_var, mean, inv_std, C, eps);
  }
  FLOWJET_CUDA_CHECK_LAUNCH();
  const int64_t count = N * C * S;
  if (count == 0) return;
  batchnorm_forward_kernel<T>
      <<<cuda::grid_for(count), cuda::kBlockSize, 0, s>>>(x, gamma, beta, mean, inv_std, y, count, C, S);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void batchnorm_backward_cuda(const T* x, const T* gamma, const T* mean, const T* inv_std, const T* grad_y, T* grad_x,
                             T* grad_gamma, T* grad_beta, int64_t N, int64_t C, int64_t S, bool is_training) {
  if (C == 0) return;
  batchnorm_backward_kernel<T><<<static_cast<unsigned>(C), kChannelBlock, 0, cuda::stream()>>>(
      x, gamma, mean, inv_std, grad_y, grad_x, grad_gamma, grad_beta, N, C, S, is_training);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_BATCHNORM_CUDA(T)                                                                          \
  template void batchnorm_forward_cuda<T>(const T*, const T*, const T*, T*, T*, T*, T*, T*, int64_t, int64_t, int64_t, \
                                          bool, double, double);                                                       \
  template void batchnorm_backward_cuda<T>(const T*, const T*, const T*, const T*, const T*, T*, T*, T*, int64_t,      \
                                           int64_t, int64_t, bool);
FLOWJET_INSTANTIATE_BATCHNORM_CUDA(float)
FLOWJET_INSTANTIATE_BATCHNORM_CUDA(double)

}  // namespace flowjet
