// The fused Adam/AdamW update on the GPU: one kernel updates many parameters at once. Up to
// kTensorsPerLaunch parameters travel as a kernel argument (pointers, sizes, coefficients); blockIdx.y
// picks the parameter and the blocks along x stride over its elements, each element through
// adam_update_element (adam_math.h), the same step as the CPU.
#include <algorithm>

#include "engine/backend/cuda/launch.cuh"
#include "engine/optim/adam.h"
#include "engine/optim/adam_math.h"

namespace flowjet {
namespace {

constexpr int kTensorsPerLaunch = 24;  // keeps the argument under 4 KB in f64

template <class T>
struct AdamChunk {
  T* param[kTensorsPerLaunch];
  const T* grad[kTensorsPerLaunch];
  T* exp_avg[kTensorsPerLaunch];
  T* exp_avg_sq[kTensorsPerLaunch];
  int64_t n[kTensorsPerLaunch];
  AdamCoefficients<T> coefficients[kTensorsPerLaunch];
};

template <class T>
__global__ void adam_update_kernel(AdamChunk<T> chunk) {
  const int t = blockIdx.y;
  T* param = chunk.param[t];
  const T* grad = chunk.grad[t];
  T* exp_avg = chunk.exp_avg[t];
  T* exp_avg_sq = chunk.exp_avg_sq[t];
  const AdamCoefficients<T> c = chunk.coefficients[t];
  FLOWJET_KERNEL_LOOP(i, chunk.n[t]) { adam_update_element(param[i], grad[i], exp_avg[i], exp_avg_sq[i], c); }
}

}  // namespace

template <class T>
void adam_update_cuda(const std::vector<AdamTensorUpdate<T>>& updates) {
  for (std::size_t first = 0; first < updates.size(); first += kTensorsPerLaunch) {
    const std::size_t count = std::min<std::size_t>(kTensorsPerLaunch, updates.size() - first);
    AdamChunk<T> chunk{};
    int64_t largest = 0;
    for (std::size_t k = 0; k < count; ++k) {
      const AdamTensorUpdate<T>& u = updates[first + k];
      chunk.param[k] = u.param;
      chunk.grad[k] = u.grad;
      chunk.exp_avg[k] = u.exp_avg;
      chunk.exp_avg_sq[k] = u.exp_avg_sq;
      chunk.n[k] = u.n;
      chunk.coefficients[k] = adam_coefficients<T>(u.scalars);
      largest = std::max(largest, u.n);
    }
    if (largest == 0) continue;
    const dim3 grid(cuda::grid_for(largest), static_cast<unsigned>(count));
    adam_update_kernel<T><<<grid, cuda::kBlockSize, 0, cuda::stream()>>>(chunk);
    FLOWJET_CUDA_CHECK_LAUNCH();
  }
}

template void adam_update_cuda<float>(const std::vector<AdamTensorUpdate<float>>&);
template void adam_update_cuda<double>(const std::vector<AdamTensorUpdate<double>>&);

}  // namespace flowjet
