// CPU kernels of batchnorm: per-channel statistics, normalisation, and the backward pass derived in
// README.md. N = batch, C = channels, S = values per (sample, channel); element (n, c, s) is at
// (n * C + c) * S + s. x [N, C] (S = 1) goes through the row-streaming kernels of batchnorm_rows_cpu.h;
// for S > 1 channels are split over the thread pool (no stats reducer there: batchnorm() refuses one).
// Sums are accumulated in double.
#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/batchnorm/batchnorm_rows_cpu.h"

namespace flowjet {
namespace {

// About this many elements per parallel chunk of channels.
constexpr int64_t kElementsPerChunk = 1 << 14;

int64_t channel_grain(int64_t values_per_channel) {
  return std::max<int64_t>(1, kElementsPerChunk / std::max<int64_t>(1, values_per_channel));
}

// Calls fn(c, i) for every element index i of channels [c0, c1), walking memory in order.
template <class Fn>
void for_each_in_channels(int64_t c0, int64_t c1, int64_t N, int64_t C, int64_t S, Fn&& fn) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t base = (n * C + c) * S;
      for (int64_t s = 0; s < S; ++s) fn(c, base + s);
    }
}

}  // namespace

// ---- forward ----

template <class T>
void batchnorm_forward_cpu(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var, T* mean,
                           T* inv_std, T* y, int64_t N, int64_t C, int64_t S, bool is_training, double momentum,
                           double eps, BatchStatsReducer* reducer) {
  if (S == 1)
    return batchnorm_rows::forward(x, gamma, beta, running_mean, running_var, mean, inv_std, y, N, C, is_training,
                                   momentum, eps, reducer, [](int64_t, T v) { return v; });
  const int64_t M = N * S;  // values per channel
  parallel_for(C, channel_grain(M), [&](int64_t c0, int64_t c1) {
    if (is_training) {
      // Two passes (mean, then squared deviations) keep the variance accurate for large |mean|.
      std::vector<double> sum(static_cast<std::size_t>(c1 - c0), 0.0), sq(sum.size(), 0.0);
      for_each_in_channels(c0, c1, N, C, S, [&](int64_t c, int64_t i) { sum[c - c0] += x[i]; });
      for (int64_t c = c0; c < c1; ++c) mean[c] = static_cast<T>(sum[c - c0] / static_cast<double>(M));
      for_each_in_channels(c0, c1, N, C, S, [&](int64_t c, int64_t i) {
        const double d = static_cast<double>(x[i]) - static_cast<double>(mean[c]);
        sq[c - c0] += d * d;
      });
      for (int64_t c = c0; c < c1; ++c) {
        const double var_biased = sq[c - c0] / static_cast<double>(M);
        const double var_unbiased = sq[c - c0] / static_cast<double>(M - 1);
        inv_std[c] = static_cast<T>(1.0 / std::sqrt(var_biased + eps));
        // PyTorch's running update: running = (1 - momentum) * running + momentum * batch statistic.
        if (running_mean) running_mean[c] = static_cast<T>((1.0 - momentum) * running_mean[c] + momentum * mean[c]);
        if (running_var) running_var[c] = static_cast<T>((1.0 - momentum) * running_var[c] + momentum * var_unbiased);
      }
    } else {
      for (int64_t c = c0; c < c1; ++c) {
        mean[c] = running_mean[c];
        inv_std[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + eps));
      }
    }
    // y = (x - mean) * inv_std * gamma + beta
    for_each_in_channels(c0, c1, N, C, S, [&](int64_t c, int64_t i) {
      y[i] = batchnorm_value(x[i], mean[c], inv_std[c], gamma[c], beta[c]);
    });
  });
}

// ---- backward ----

template <class T>
void batchnorm_backward_cpu(const T* x, const T* gamma, const T* mean, const T* inv_std, const T* grad_y, T* grad_x,
                            T* grad_gamma, T* grad_beta, int64_t N, int64_t C, int64_t S, bool is_training,
                            BatchStatsReducer* reducer) {
  if (S == 1)
    return batchnorm_rows::backward(x, gamma, mean, inv_std, grad_x, grad_gamma, grad_beta, N, C, is_training, reducer,
                                    [grad_y](int64_t i, int64_t) { return grad_y[i]; });
  const int64_t M = N * S;
  parallel_for(C, channel_grain(M), [&](int64_t c0, int64_t c1) {
    // sum_dy = sum dL/dy, sum_dy_xhat = sum dL/dy * xhat over the M values of each channel.
    std::vector<double> sum_dy(static_cast<std::size_t>(c1 - c0), 0.0), sum_dy_xhat(sum_dy.size(), 0.0);
    for_each_in_channels(c0, c1, N, C, S, [&](int64_t c, int64_t i) {
      const double xhat = (static_cast<double>(x[i]) - mean[c]) * inv_std[c];
      sum_dy[c - c0] += grad_y[i];
      sum_dy_xhat[c - c0] += static_cast<double>(grad_y[i]) * xhat;
    });
    for (int64_t c = c0; c < c1; ++c) {
      if (grad_beta) grad_beta[c] += static_cast<T>(sum_dy[c - c0]);         // dL/dbeta = sum dy
      if (grad_gamma) grad_gamma[c] += static_cast<T>(sum_dy_xhat[c - c0]);  // dL/dgamma = sum dy * xhat
    }
    if (!grad_x) return;
    if (is_training) {
      // README.md, step 5
      for_each_in_channels(c0, c1, N, C, S, [&](int64_t c, int64_t i) {
        const double xhat = (static_cast<double>(x[i]) - mean[c]) * inv_std[c];
        const double mean_dy = sum_dy[c - c0] / static_cast<double>(M);
        const double mean_dy_xhat = sum_dy_xhat[c - c0] / static_cast<double>(M);
        grad_x[i] += static_cast<T>(batchnorm_grad_x(static_cast<double>(grad_y[i]), xhat,
                                                     static_cast<double>(gamma[c]) * inv_std[c], mean_dy, mean_dy_xhat));
      });
    } else {
      // Eval mode: mean and inv_std are constants, so dL/dx = dy * gamma * inv_std.
      for_each_in_channels(c0, c1, N, C, S,
                           [&](int64_t c, int64_t i) { grad_x[i] += grad_y[i] * gamma[c] * inv_std[c]; });
    }
  });
}

#define FLOWJET_INSTANTIATE_BATCHNORM(T)                                                                              \
  template void batchnorm_forward_cpu<T>(const T*, const T*, const T*, T*, T*, T*, T*, T*, int64_t, int64_t, int64_t, \
                                         bool, double, double, BatchStatsReducer*);                                   \
  template void batchnorm_backward_cpu<T>(const T*, const T*, const T*, const T*, const T*, T*, T*, T*, int64_t,      \
                                          int64_t, int64_t, bool, BatchStatsReducer*);
FLOWJET_INSTANTIATE_BATCHNORM(float)
FLOWJET_INSTANTIATE_BATCHNORM(double)

}  // namespace flowjet
