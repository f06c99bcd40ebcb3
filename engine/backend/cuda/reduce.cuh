// Block-wide sums for kernels where one block reduces one slice: a warp shuffle tree, then one value per
// warp through shared memory. The order is fixed, so results are reproducible run to run.
#pragma once

namespace flowjet::cuda {

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

}  // namespace flowjet::cuda
