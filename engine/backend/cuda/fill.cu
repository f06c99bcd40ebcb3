// Device fills: +0 is all-zero bytes in IEEE f32 and f64, so it is a memset; any other value a kernel.
#include "engine/backend/cuda/fill.h"

#include <cmath>

#include "engine/backend/cuda/launch.cuh"

namespace flowjet::cuda {
namespace {

template <class T>
__global__ void fill_kernel(T* out, int64_t count, T value) {
  FLOWJET_KERNEL_LOOP(i, count) { out[i] = value; }
}

}  // namespace

void fill_cuda(void* dst, DType dtype, int64_t count, double value) {
  if (count == 0) return;
  if (value == 0.0 && !std::signbit(value)) {
    FLOWJET_CUDA_CHECK(cudaMemsetAsync(dst, 0, static_cast<std::size_t>(count) * dtype_size(dtype), stream()));
    return;
  }
  dispatch_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    fill_kernel<T><<<grid_for(count), kBlockSize, 0, stream()>>>(static_cast<T*>(dst), count, static_cast<T>(value));
  });
  FLOWJET_CUDA_CHECK_LAUNCH();
}

}  // namespace flowjet::cuda
