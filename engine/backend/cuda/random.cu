// Uniform, normal and keep-mask draws on the device from the Philox stream of engine/random/philox.h,
// element for element the same words as the CPU fills in engine/random/generator.cpp.
#include "engine/backend/cuda/random.h"

#include <type_traits>

#include "engine/backend/cuda/launch.cuh"
#include "engine/random/philox.h"

namespace flowjet::cuda {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

template <class T>
__device__ T uniform01(uint64_t seed, uint64_t offset, int64_t i) {
  if constexpr (std::is_same_v<T, float>) {
    return philox_uniform_float(philox_word(seed, offset, static_cast<uint64_t>(i)));
  } else {
    const uint64_t w = 2 * static_cast<uint64_t>(i);
    return philox_uniform_double(philox_word(seed, offset, w), philox_word(seed, offset, w + 1));
  }
}

template <class T>
__global__ void uniform_kernel(T* out, int64_t n, uint64_t seed, uint64_t offset, double low, double high) {
  FLOWJET_KERNEL_LOOP(i, n) {
    out[i] = static_cast<T>(low + (high - low) * static_cast<double>(uniform01<T>(seed, offset, i)));
  }
}

template <class T>
__global__ void normal_kernel(T* out, int64_t n, uint64_t seed, uint64_t offset, double mean, double stddev) {
  FLOWJET_KERNEL_LOOP(j, (n + 1) / 2) {
    // Box-Muller: (r cos θ, r sin θ), r = sqrt(-2 log u1), θ = 2π u2, as the CPU fill.
    const T u1 = uniform01<T>(seed, offset, 2 * j), u2 = uniform01<T>(seed, offset, 2 * j + 1);
    const T r = sqrt(T(-2) * log(u1));
    const T theta = static_cast<T>(kTwoPi) * u2;
    out[2 * j] = static_cast<T>(mean + stddev * static_cast<double>(r * cos(theta)));
    if (2 * j + 1 < n) out[2 * j + 1] = static_cast<T>(mean + stddev * static_cast<double>(r * sin(theta)));
  }
}

template <class T>
__global__ void keep_mask_kernel(T* out, int64_t n, uint64_t seed, uint64_t offset, T p, T scale) {
  FLOWJET_KERNEL_LOOP(i, n) { out[i] = uniform01<T>(seed, offset, i) >= p ? scale : T(0); }
}

}  // namespace

void random_uniform_cuda(Tensor& out, uint64_t seed, uint64_t offset, double low, double high) {
  const int64_t n = out.numel();
  if (n == 0) return;
  dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    uniform_kernel<T><<<grid_for(n), kBlockSize, 0, stream()>>>(out.data<T>(), n, seed, offset, low, high);
  });
  FLOWJET_CUDA_CHECK_LAUNCH();
}

void random_normal_cuda(Tensor& out, uint64_t seed, uint64_t offset, double mean, double stddev) {
  const int64_t n = out.numel();
  if (n == 0) return;
  dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    normal_kernel<T><<<grid_for((n + 1) / 2), kBlockSize, 0, stream()>>>(out.data<T>(), n, seed, offset, mean, stddev);
  });
  FLOWJET_CUDA_CHECK_LAUNCH();
}

void random_keep_mask_cuda(Tensor& out, uint64_t seed, uint64_t offset, double p) {
  const int64_t n = out.numel();
  if (n == 0) return;
  dispatch_dtype(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    keep_mask_kernel<T><<<grid_for(n), kBlockSize, 0, stream()>>>(out.data<T>(), n, seed, offset, static_cast<T>(p),
                                                                  static_cast<T>(1.0 / (1.0 - p)));
  });
  FLOWJET_CUDA_CHECK_LAUNCH();
}

}  // namespace flowjet::cuda
