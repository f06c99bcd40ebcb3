// CPU kernels of linear and matmul, all expressed through gemm_cpu; the bias gradient is a
// blocked sum over the batch, split over the thread pool and bitwise reproducible.
#include "engine/ops/linear/linear_cpu.h"

#include <algorithm>
#include <vector>

#include "engine/backend/cpu/gemm.h"
#include "engine/backend/cpu/lanes.h"
#include "engine/backend/cpu/thread_pool.h"

namespace flowjet {
namespace {

// Elements of dL/dy one block of the bias-gradient sum covers, so a thread wake-up pays off.
constexpr int64_t kBiasGrain = int64_t(1) << 15;

}  // namespace

template <class T>
void linear_forward_cpu(const T* x, const T* weight, const T* bias, T* y, int64_t batch, int64_t in, int64_t out) {
  // y[b, o] = bias[o] + sum_i x[b, i] W[o, i]; the bias is added where the GEMM stores its tiles
  // (an epilogue), so y is written once and never read.
  if (bias) {
    gemm_bias_cpu<T>(false, true, batch, out, in, x, in, weight, in, bias, y, out);
  } else {
    gemm_cpu<T>(false, true, batch, out, in, T(1), x, in, weight, in, T(0), y, out);
  }
}

template <class T>
void linear_backward_cpu(const T* x, const T* weight, const T* grad_y, T* grad_x, T* grad_weight, T* grad_bias,
                         int64_t batch, int64_t in, int64_t out) {
  if (grad_x) gemm_cpu<T>(false, false, batch, in, out, T(1), grad_y, out, weight, in, T(1), grad_x, in);
  if (grad_weight) gemm_cpu<T>(true, false, out, in, batch, T(1), grad_y, out, x, in, T(1), grad_weight, in);
  if (grad_bias && batch > 0 && out > 0) {
    // dL/db[o] = sum over b of dL/dy[b, o]. Rows go in fixed blocks (sized from `out` only, so the
    // split and hence every bit of the result is the same for any thread count); each block sums
    // its rows in order, then the block sums are added in order.
    const int64_t block_rows = std::max<int64_t>(16, kBiasGrain / out);
    const int64_t blocks = (batch + block_rows - 1) / block_rows;
    std::vector<T> block_sums(blocks * out, T(0));
    parallel_for(blocks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) {
        T* sum = block_sums.data() + k * out;
        for (int64_t b = k * block_rows; b < std::min(batch, (k + 1) * block_rows); ++b) {
          const T* row = grad_y + b * out;
          lanes::for_columns(out, [&](int64_t o) { sum[o] += row[o]; });
        }
      }
    });
    for (int64_t k = 0; k < blocks; ++k) {
      const T* sum = block_sums.data() + k * out;
      lanes::for_columns(out, [&](int64_t o) { grad_bias[o] += sum[o]; });
    }
  }
}

template <class T>
void matmul_forward_cpu(const T* a, const T* b, T* c, int64_t M, int64_t K, int64_t N) {
  gemm_cpu<T>(false, false, M, N, K, T(1), a, K, b, N, T(0), c, N);
}

template <class T>
void matmul_backward_cpu(const T* a, const T* b, const T* grad_c, T* grad_a, T* grad_b, int64_t M, int64_t K,
                         int64_t N) {
  if (grad_a) gemm_cpu<T>(false, true, M, K, N, T(1), grad_c, N, b, N, T(1), grad_a, K);
  if (grad_b) gemm_cpu<T>(true, false, K, N, M, T(1), a, K, grad_c, N, T(1), grad_b, N);
}

#define FLOWJET_INSTANTIATE_LINEAR(T)                                                                     \
  template void linear_forward_cpu<T>(const T*, const T*, const T*, T*, int64_t, int64_t, int64_t);     \
  template void linear_backward_cpu<T>(const T*, const T*, const T*, T*, T*, T*, int64_t, int64_t, int64_t); \
  template void matmul_forward_cpu<T>(const T*, const T*, T*, int64_t, int64_t, int64_t);               \
  template void matmul_backward_cpu<T>(const T*, const T*, const T*, T*, T*, int64_t, int64_t, int64_t);
FLOWJET_INSTANTIATE_LINEAR(float)
FLOWJET_INSTANTIATE_LINEAR(double)

}  // namespace flowjet
