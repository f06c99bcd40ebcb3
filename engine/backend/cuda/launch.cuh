// What every kernel launcher shares: flowjet's one stream, grid sizes for element-wise kernels, and
// the check after each launch.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

#include "engine/backend/cuda/check.h"

namespace flowjet::cuda {

/// flowjet's one stream (created with the device on first use); every kernel and copy goes on it.
cudaStream_t stream();

constexpr int kBlockSize = 256;

/// Blocks for n elements at kBlockSize threads each, capped so a grid-stride loop covers the rest.
inline unsigned grid_for(int64_t n) {
  const int64_t blocks = (n + kBlockSize - 1) / kBlockSize;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > 65535 * 8 ? 65535 * 8 : blocks));
}

}  // namespace flowjet::cuda

/// Grid-stride loop over [0, n) inside a kernel.
#define FLOWJET_KERNEL_LOOP(i, n)                                                        \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

/// Checks the launch just made (configuration errors; execution errors surface at the next sync).
#define FLOWJET_CUDA_CHECK_LAUNCH() FLOWJET_CUDA_CHECK(cudaGetLastError())
