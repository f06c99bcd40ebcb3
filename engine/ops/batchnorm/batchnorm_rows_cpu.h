// Row-streaming CPU kernels of batch norm on x [N, C] (S = 1), shared by batchnorm (batchnorm_cpu.cpp)
// and the fused batchnorm_relu_dropout (engine/ops/fused/). Rows are read in memory order and the
// per-channel loops are written in groups of kLanes channels, which the compiler vectorises.
//
// Reproducibility: the per-channel sums run over fixed blocks of rows whose size depends only on
// (N, C); each block sums its rows in order into its own accumulators, then the blocks are added in
// block order. The thread pool only decides which thread computes which block, so every bit of the
// result is the same for any thread count.
//
// Synchronised batch norm: a non-null BatchStatsReducer sums the per-channel sums (and the value
// counts) over the ranks between the passes of training mode; null leaves every operation as it is.
//
// The fused op plugs into two points (the plain batchnorm passes the identity):
//   Epilogue: epilogue(i, v) -> the value stored at y[i] for the batch-norm output v;
//   GradY:    grad(i, c) -> dL/d(batch-norm output) at element i of channel c.
// Derivation of the formulas: README.md in this folder.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/backend/cpu/lanes.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/batchnorm/batchnorm_math.h"
#include "engine/ops/batchnorm/stats_reducer.h"

namespace flowjet::batchnorm_rows {

// Elements per parallel chunk, so a thread wake-up pays off.
constexpr int64_t kChunkElements = int64_t(1) << 15;
// At most this many row blocks: bounds the partial sums' memory; each block keeps them for 2 * C doubles.
constexpr int64_t kMaxBlocks = 32;
constexpr int64_t kMinBlockRows = 64;


/// Rows per block of the per-channel sums: a function of N only.
inline int64_t block_rows(int64_t N) {
  return std::max(kMinBlockRows, (N + kMaxBlocks - 1) / kMaxBlocks);
}

/// sums[k * C + c] = sum over rows n of the K quantities add_row(n, acc) adds into acc[k * C + c],
/// accumulated in fixed row blocks added in order (bitwise the same for any thread count).
template <int K, class AddRow>
void channel_sums(int64_t N, int64_t C, AddRow&& add_row, double* sums) {
  const int64_t rows = block_rows(N), blocks = (N + rows - 1) / rows;
  std::vector<double> partial(static_cast<std::size_t>(blocks * K * C), 0.0);
  const int64_t block_grain = std::max<int64_t>(1, kChunkElements / std::max<int64_t>(1, rows * C));
  parallel_for(blocks, block_grain, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      double* acc = partial.data() + b * K * C;
      for (int64_t n = b * rows; n < std::min(N, (b + 1) * rows); ++n) add_row(n, acc);
    }
  });
  std::fill(sums, sums + K * C, 0.0);
  for (int64_t b = 0; b < blocks; ++b) {
    const double* acc = partial.data() + b * K * C;
    lanes::for_columns(K * C, [&](int64_t j) { sums[j] += acc[j]; });
  }
}

/// body(n0, n1) over the rows of x [N, C] in parallel chunks.
template <class Body>
void for_row_chunks(int64_t N, int64_t C, Body&& body) {
  parallel_for(N, std::max<int64_t>(1, kChunkElements / std::max<int64_t>(1, C)), body);
}

/// y[i] = epilogue(i, batchnorm_value(x[i], ...)) with the given statistics: the last pass of forward,
/// and on its own what a fused op runs to recompute the output it did not keep.
template <class T, class Epilogue>
void apply(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std, T* y, int64_t N, int64_t C,
           Epilogue&& epilogue) {
  for_row_chunks(N, C, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      const T* row = x + n * C;
      T* out = y + n * C;
      lanes::for_columns(C, [&](int64_t c) {
        out[c] = epilogue(n * C + c, batchnorm_value(row[c], mean[c], inv_std[c], gamma[c], beta[c]));
      });
    }
  });
}

/// Forward: writes mean, inv_std ([C], batch statistics in training mode with the running update,
/// running statistics in eval mode) and y[i] = epilogue(i, batchnorm_value(x[i], ...)). With a reducer
/// the batch statistics are those of all ranks' rows together.
template <class T, class Epilogue>
void forward(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var, T* mean, T* inv_std, T* y,
             int64_t N, int64_t C, bool is_training, double momentum, double eps, BatchStatsReducer* reducer,
             Epilogue&& epilogue) {
  if (is_training) {
    // Two passes (mean, then squared deviations from it) keep the variance accurate for large |mean|.
    // sum[C] carries the row count through the reducer: shards may differ by a row.
    std::vector<double> sum(static_cast<std::size_t>(C + 1)), sq(static_cast<std::size_t>(C));
    channel_sums<1>(N, C, [&](int64_t n, double* acc) {
      const T* row = x + n * C;
      lanes::for_columns(C, [&](int64_t c) { acc[c] += static_cast<double>(row[c]); });
    }, sum.data());
    sum[C] = static_cast<double>(N);
    if (reducer) reducer->sum(sum.data(), C + 1);
    const double rows = sum[C];  // of the global batch with a reducer
    for (int64_t c = 0; c < C; ++c) mean[c] = static_cast<T>(sum[c] / rows);
    channel_sums<1>(N, C, [&](int64_t n, double* acc) {
      const T* row = x + n * C;
      lanes::for_columns(C, [&](int64_t c) {
        const double d = static_cast<double>(row[c]) - static_cast<double>(mean[c]);
        acc[c] += d * d;
      });
    }, sq.data());
    if (reducer) reducer->sum(sq.data(), C);
    for (int64_t c = 0; c < C; ++c) {
      inv_std[c] = static_cast<T>(1.0 / std::sqrt(sq[c] / rows + eps));
      // PyTorch's running update with the unbiased variance: running = (1 - momentum) running + momentum stat.
      if (running_mean) running_mean[c] = static_cast<T>((1.0 - momentum) * running_mean[c] + momentum * mean[c]);
      if (running_var)
        running_var[c] = static_cast<T>((1.0 - momentum) * running_var[c] + momentum * (sq[c] / (rows - 1.0)));
    }
  } else {
    for (int64_t c = 0; c < C; ++c) {
      mean[c] = running_mean[c];
      inv_std[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + eps));
    }
  }
  apply(x, gamma, beta, mean, inv_std, y, N, C, epilogue);
}

/// Replaces this rank's [2 C] sums of the backward by G = sum_r (N_r / N) sums_r over the ranks
/// (backward() below says why): the reducer sums [N_r sums_r, N_r], and the last entry is N.
inline void global_gradient_sums(std::vector<double>& sums, int64_t N, int64_t C, BatchStatsReducer& reducer) {
  std::vector<double> weighted(static_cast<std::size_t>(2 * C + 1));
  for (int64_t j = 0; j < 2 * C; ++j) weighted[j] = static_cast<double>(N) * sums[j];
  weighted[2 * C] = static_cast<double>(N);
  reducer.sum(weighted.data(), 2 * C + 1);
  for (int64_t j = 0; j < 2 * C; ++j) sums[j] = weighted[j] / weighted[2 * C];
}

/// Backward: ADDS dL/dx, dL/dgamma, dL/dbeta (null: not needed) for dL/d(batch-norm output) = grad(i, c).
///
/// With a reducer (training mode) dL/dx takes the other ranks' rows into account. Each rank's dL/dy is
/// taken as the gradient of its own mean loss, and the ranks' parameter gradients as being combined
/// with weights N_r / N (N = the global rows), as dist::all_reduce_gradients does with rows / batch.
/// The global loss's sums are then G = sum_r (N_r / N) sums_r, and this rank's dL/dx, in the scale of
/// its own loss, uses the means G / N_r (for equal shards: sum_r sums_r / N, PyTorch's SyncBatchNorm).
/// dL/dgamma and dL/dbeta stay this rank's own sums: the weighted gradient all-reduce turns them into
/// the global batch's.
template <class T, class GradY>
void backward(const T* x, const T* gamma, const T* mean, const T* inv_std, T* grad_x, T* grad_gamma, T* grad_beta,
              int64_t N, int64_t C, bool is_training, BatchStatsReducer* reducer, GradY&& grad) {
  // sums[c] = sum dy, sums[C + c] = sum dy * xhat over the rows (xhat recomputed from x, mean, inv_std).
  std::vector<double> sums(static_cast<std::size_t>(2 * C));
  channel_sums<2>(N, C, [&](int64_t n, double* acc) {
    const T* row = x + n * C;
    lanes::for_columns(C, [&](int64_t c) {
      const double dy = static_cast<double>(grad(n * C + c, c));
      const double xhat = (static_cast<double>(row[c]) - static_cast<double>(mean[c])) * static_cast<double>(inv_std[c]);
      acc[c] += dy;
      acc[C + c] += dy * xhat;
    });
  }, sums.data());
  for (int64_t c = 0; c < C; ++c) {
    if (grad_beta) grad_beta[c] += static_cast<T>(sums[c]);           // dL/dbeta = sum dy
    if (grad_gamma) grad_gamma[c] += static_cast<T>(sums[C + c]);     // dL/dgamma = sum dy * xhat
  }
  if (!grad_x) return;
  if (is_training) {
    if (reducer) global_gradient_sums(sums, N, C, *reducer);
    std::vector<double> scale(static_cast<std::size_t>(C)), mean_dy(scale.size()), mean_dy_xhat(scale.size());
    for (int64_t c = 0; c < C; ++c) {
      scale[c] = static_cast<double>(gamma[c]) * static_cast<double>(inv_std[c]);
      mean_dy[c] = sums[c] / static_cast<double>(N);
      mean_dy_xhat[c] = sums[C + c] / static_cast<double>(N);
    }
    for_row_chunks(N, C, [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n) {
        const T* row = x + n * C;
        T* gx = grad_x + n * C;
        lanes::for_columns(C, [&](int64_t c) {
          const double xhat =
              (static_cast<double>(row[c]) - static_cast<double>(mean[c])) * static_cast<double>(inv_std[c]);
          gx[c] += static_cast<T>(batchnorm_grad_x(static_cast<double>(grad(n * C + c, c)), xhat, scale[c], mean_dy[c],
                                                   mean_dy_xhat[c]));
        });
      }
    });
  } else {
    // Eval mode: mean and inv_std are constants, so dL/dx = dy * gamma * inv_std.
    for_row_chunks(N, C, [&](int64_t n0, int64_t n1) {
      for (int64_t n = n0; n < n1; ++n) {
        T* gx = grad_x + n * C;
        lanes::for_columns(C, [&](int64_t c) { gx[c] += grad(n * C + c, c) * gamma[c] * inv_std[c]; });
      }
    });
  }
}

}  // namespace flowjet::batchnorm_rows
