// CUDA kernels of clamp: one thread per element, the same comparisons as clamp_cpu.cpp.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/clamp/clamp.h"

namespace flowjet {
namespace {

// ---- forward ----

template <class T>
__global__ void clamp_forward_kernel(const T* x, T* y, int64_t n, T min, T max) {
  FLOWJET_KERNEL_LOOP(i, n) {
    const T v = x[i];
    y[i] = v < min ? min : (v > max ? max : v);  // a NaN fails both tests and passes through
  }
}

// ---- backward ----

template <class T>
__global__ void clamp_backward_kernel(const T* x, const T* grad_y, T* grad_x, int64_t n, T min, T max) {
  FLOWJET_KERNEL_LOOP(i, n) { grad_x[i] += (x[i] >= min && x[i] <= max) ? grad_y[i] : T(0); }
}

}  // namespace

// ---- launchers ----

template <class T>
void clamp_forward_cuda(const T* x, T* y, int64_t n, T min, T max) {
  if (n == 0) return;
  clamp_forward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(x, y, n, min, max);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void clamp_backward_cuda(const T* x, const T* grad_y, T* grad_x, int64_t n, T min, T max) {
  if (n == 0) return;
  clamp_backward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(x, grad_y, grad_x, n, min, max);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template void clamp_forward_cuda<float>(const float*, float*, int64_t, float, float);
template void clamp_forward_cuda<double>(const double*, double*, int64_t, double, double);
template void clamp_backward_cuda<float>(const float*, const float*, float*, int64_t, float, float);
template void clamp_backward_cuda<double>(const double*, const double*, double*, int64_t, double, double);

}  // namespace flowjet
