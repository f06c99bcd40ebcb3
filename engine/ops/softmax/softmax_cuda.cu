// CUDA kernels of softmax and log_softmax: one warp per row (shuffle reductions for the row max and the
// row sums, sums in double as the CPU), the same steps and formulas as softmax_cpu.cpp.
#include <cmath>

#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/reduce.cuh"
#include "engine/ops/softmax/softmax.h"

namespace flowjet {
namespace {

// ---- forward ----

template <class T>
__global__ void softmax_forward_kernel(bool is_log, const T* x, T* y, int64_t rows, int64_t width) {
  const cuda::GridWarps w = cuda::grid_warps();
  for (int64_t r = w.first; r < rows; r += w.stride) {
    const T* xr = x + r * width;
    T* yr = y + r * width;
    T m = xr[0];
    for (int64_t j = w.lane; j < width; j += 32) m = fmax(m, xr[j]);
    m = cuda::warp_max(m);
    double total = 0;
    for (int64_t j = w.lane; j < width; j += 32)
      total += static_cast<double>(std::exp(xr[j] - m));  // <= 1: no overflow
    total = cuda::warp_sum(total);
    if (is_log) {
      const T shift = m + static_cast<T>(std::log(total));
      for (int64_t j = w.lane; j < width; j += 32) yr[j] = xr[j] - shift;
    } else {
      const T inv = static_cast<T>(1.0 / total);
      for (int64_t j = w.lane; j < width; j += 32) yr[j] = std::exp(xr[j] - m) * inv;
    }
  }
}

// ---- backward ----

// softmax: dL/dx_j = y_j (g_j - sum_k g_k y_k); log_softmax: dL/dx_j = g_j - std::exp(y_j) sum_k g_k.
template <class T>
__global__ void softmax_backward_kernel(bool is_log, const T* y, const T* grad_y, T* grad_x, int64_t rows,
                                        int64_t width) {
  const cuda::GridWarps w = cuda::grid_warps();
  for (int64_t r = w.first; r < rows; r += w.stride) {
    const T* yr = y + r * width;
    const T* g = grad_y + r * width;
    T* gx = grad_x + r * width;
    double dot = 0;
    for (int64_t j = w.lane; j < width; j += 32) dot += static_cast<double>(is_log ? g[j] : g[j] * yr[j]);
    const T s = static_cast<T>(cuda::warp_sum(dot));
    for (int64_t j = w.lane; j < width; j += 32) gx[j] += is_log ? g[j] - std::exp(yr[j]) * s : yr[j] * (g[j] - s);
  }
}

unsigned grid_for_rows(int64_t rows) { return cuda::grid_for(rows * 32); }

}  // namespace

// ---- launchers ----

template <class T>
void softmax_forward_cuda(bool is_log, const T* x, T* y, int64_t rows, int64_t width) {
  if (rows == 0 || width == 0) return;
  softmax_forward_kernel<T><<<grid_for_rows(rows), cuda::kBlockSize, 0, cuda::stream()>>>(is_log, x, y, rows, width);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void softmax_backward_cuda(bool is_log, const T* y, const T* grad_y, T* grad_x, int64_t rows, int64_t width) {
  if (rows == 0 || width == 0) return;
  softmax_backward_kernel<T>
      <<<grid_for_rows(rows), cuda::kBlockSize, 0, cuda::stream()>>>(is_log, y, grad_y, grad_x, rows, width);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template void softmax_forward_cuda<float>(bool, const float*, float*, int64_t, int64_t);
template void softmax_forward_cuda<double>(bool, const double*, double*, int64_t, int64_t);
template void softmax_backward_cuda<float>(bool, const float*, const float*, float*, int64_t, int64_t);
template void softmax_backward_cuda<double>(bool, const double*, const double*, double*, int64_t, int64_t);

}  // namespace flowjet
