// Block- and warp-wide sums for kernels where one block (or one warp) reduces one slice: a warp shuffle
// tree, then one value per warp through shared memory. The order is fixed, so results are reproducible
// run to run.
#pragma once

#include <cstdint>

namespace flowjet::cuda {

/// Sum of `value` over the 32 lanes of a full warp; every lane gets it.
template <class T>
__device__ T warp_sum(T value) {
  for (int delta = 16; delta > 0; delta /= 2) value += __shfl_xor_sync(0xffffffffu, value, delta);
  return value;
}

/// Largest `value` over the 32 lanes of a full warp (fmax: a NaN loses to any number); every lane gets it.
template <class T>
__device__ T warp_max(T value) {
  for (int delta = 16; delta > 0; delta /= 2) value = fmax(value, __shfl_xor_sync(0xffffffffu, value, delta));
  return value;
}

/// Warps of the whole grid: this thread's warp number and the count, for kernels with one warp per row.
struct GridWarps {
  int64_t first, stride;
  unsigned lane;
};
__device__ inline GridWarps grid_warps() {
  const int64_t thread = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  return {thread / 32, static_cast<int64_t>(gridDim.x) * blockDim.x / 32, threadIdx.x % 32u};
}

/// Sum of `value` over the whole block (blockDim.x a multiple of 32, at most 1024); every thread gets it.
/// Contains __syncthreads(): every thread of the block must call it.
template <class T>
__device__ T block_sum(T value) {
  __shared__ T warp_sums[32];
  const unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = (blockDim.x + 31) / 32;
  for (int delta = 16; delta > 0; delta /= 2) value += __shfl_down_sync(0xffffffffu, value, delta);
  __syncthreads();  // warp_sums may still be read by a previous call
  if (lane == 0) warp_sums[warp] = value;
  __syncthreads();
  T total = T(0);
  for (unsigned w = 0; w < warps; ++w) total += warp_sums[w];
  return total;
}

/// Sum in double of term(i) for i in [0, count), the block's threads striding over i; every thread gets it.
/// Same contract as block_sum.
template <class Term>
__device__ double block_sum_of(int64_t count, Term term) {
  double acc = 0;
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) acc += static_cast<double>(term(i));
  return block_sum(acc);
}

}  // namespace flowjet::cuda
