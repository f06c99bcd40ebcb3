// CUDA kernels of cumsum along rows: one thread per row runs the same left-to-right (forward) and
// right-to-left (backward) sums in the element type as cumsum_cpu.cpp, so both backends add in the same
// order and agree exactly. The rows this engine scans are short (spline knots, particle lists).
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/cumsum/cumsum.h"

namespace flowjet {
namespace {

// ---- forward ----

template <class T>
__global__ void cumsum_forward_kernel(const T* x, T* y, int64_t rows, int64_t width) {
  FLOWJET_KERNEL_LOOP(r, rows) {
    T acc = T(0);
    for (int64_t j = 0; j < width; ++j) {
      acc += x[r * width + j];
      y[r * width + j] = acc;
    }
  }
}

// ---- backward ----

template <class T>
__global__ void cumsum_backward_kernel(const T* grad_y, T* grad_x, int64_t rows, int64_t width) {
  FLOWJET_KERNEL_LOOP(r, rows) {
    T acc = T(0);
    for (int64_t k = width - 1; k >= 0; --k) {
      acc += grad_y[r * width + k];  // sum of g_j over j >= k
      grad_x[r * width + k] += acc;
    }
  }
}

}  // namespace

// ---- launchers ----

template <class T>
void cumsum_forward_cuda(const T* x, T* y, int64_t rows, int64_t width) {
  if (rows == 0 || width == 0) return;
  cumsum_forward_kernel<T><<<cuda::grid_for(rows), cuda::kBlockSize, 0, cuda::stream()>>>(x, y, rows, width);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void cumsum_backward_cuda(const T* grad_y, T* grad_x, int64_t rows, int64_t width) {
  if (rows == 0 || width == 0) return;
  cumsum_backward_kernel<T><<<cuda::grid_for(rows), cuda::kBlockSize, 0, cuda::stream()>>>(grad_y, grad_x, rows, width);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template void cumsum_forward_cuda<float>(const float*, float*, int64_t, int64_t);
template void cumsum_forward_cuda<double>(const double*, double*, int64_t, int64_t);
template void cumsum_backward_cuda<float>(const float*, float*, int64_t, int64_t);
template void cumsum_backward_cuda<double>(const double*, double*, int64_t, int64_t);

}  // namespace flowjet
