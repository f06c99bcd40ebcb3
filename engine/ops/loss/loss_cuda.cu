// CUDA kernels of normal_log_prob (one warp per row, the row's sum of squares in double) and mse (one
// block for the whole sum, in double); their backward passes are element-wise. Same formulas as loss_cpu.cpp.
#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/reduce.cuh"
#include "engine/ops/loss/loss.h"

namespace flowjet {
namespace {

constexpr double kHalfLog2Pi = 0.91893853320467274178;  // 0.5 * log(2 pi)
constexpr unsigned kMseBlock = 1024;

// ---- forward ----

// y = -0.5 * sum_i z_i^2 - 0.5 * D * log(2 pi) for each row.
template <class T>
__global__ void normal_log_prob_forward_kernel(const T* z, T* y, int64_t rows, int64_t width) {
  const cuda::GridWarps w = cuda::grid_warps();
  for (int64_t r = w.first; r < rows; r += w.stride) {
    double squares = 0;
    for (int64_t i = w.lane; i < width; i += 32) {
      const double v = static_cast<double>(z[r * width + i]);
      squares += v * v;
    }
    squares = cuda::warp_sum(squares);
    if (w.lane == 0) y[r] = static_cast<T>(-0.5 * squares - kHalfLog2Pi * static_cast<double>(width));
  }
}

template <class T>
__global__ void mse_forward_kernel(const T* a, const T* b, T* y, int64_t n) {
  const double total = cuda::block_sum_of(n, [&](int64_t i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    return d * d;
  });
  if (threadIdx.x == 0) y[0] = static_cast<T>(total / static_cast<double>(n));  // n == 0: 0/0 = NaN
}

// ---- backward ----

template <class T>
__global__ void normal_log_prob_backward_kernel(const T* z, const T* grad_y, T* grad_z, int64_t count, int64_t width) {
  FLOWJET_KERNEL_LOOP(i, count) { grad_z[i] -= grad_y[i / width] * z[i]; }  // w.r.t. z_i: -z_i
}

// grad_y is the device scalar dL/dy; d/da_i of (1/n) sum (a - b)^2 = 2 (a_i - b_i) / n.
template <class T>
__global__ void mse_backward_kernel(const T* a, const T* b, const T* grad_y, T* grad_a, T* grad_b, int64_t n) {
  const T scale = T(2) * grad_y[0] / static_cast<T>(n);
  FLOWJET_KERNEL_LOOP(i, n) {
    const T d = scale * (a[i] - b[i]);
    if (grad_a) grad_a[i] += d;
    if (grad_b) grad_b[i] -= d;
  }
}

}  // namespace

// ---- launchers ----

template <class T>
void normal_log_prob_forward_cuda(const T* z, T* y, int64_t rows, int64_t width) {
  if (rows == 0) return;
  normal_log_prob_forward_kernel<T>
      <<<cuda::grid_for(rows * 32), cuda::kBlockSize, 0, cuda::stream()>>>(z, y, rows, width);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void normal_log_prob_backward_cuda(const T* z, const T* grad_y, T* grad_z, int64_t rows, int64_t width) {
  const int64_t count = rows * width;
  if (count == 0) return;
  normal_log_prob_backward_kernel<T>
      <<<cuda::grid_for(count), cuda::kBlockSize, 0, cuda::stream()>>>(z, grad_y, grad_z, count, width);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void mse_forward_cuda(const T* a, const T* b, T* y, int64_t n) {
  mse_forward_kernel<T><<<1, kMseBlock, 0, cuda::stream()>>>(a, b, y, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void mse_backward_cuda(const T* a, const T* b, const T* grad_y, T* grad_a, T* grad_b, int64_t n) {
  if (n == 0) return;
  mse_backward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(a, b, grad_y, grad_a, grad_b, n);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_LOSS_CUDA(T)                                                    \
  template void normal_log_prob_forward_cuda<T>(const T*, T*, int64_t, int64_t);            \
  template void normal_log_prob_backward_cuda<T>(const T*, const T*, T*, int64_t, int64_t); \
  template void mse_forward_cuda<T>(const T*, const T*, T*, int64_t);                       \
  template void mse_backward_cuda<T>(const T*, const T*, const T*, T*, T*, int64_t);
FLOWJET_INSTANTIATE_LOSS_CUDA(float)
FLOWJET_INSTANTIATE_LOSS_CUDA(double)
#undef FLOWJET_INSTANTIATE_LOSS_CUDA

}  // namespace flowjet
