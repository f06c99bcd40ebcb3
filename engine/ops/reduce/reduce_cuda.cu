// CUDA kernels of sum, mean and max along the middle axis of x viewed as [outer, n, inner] (n: the reduced
// axis; y is [outer, inner]). Short axes (n <= 32): one thread per output. Longer ones: one block per
// output, the block's threads striding over the axis. Sums accumulate in double as on the CPU; max keeps
// the CPU's rule (the first maximum wins, a NaN wins at once) when the block's candidates are merged.
#include <cmath>

#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/reduce.cuh"
#include "engine/ops/reduce/reduce.h"

namespace flowjet {
namespace {

constexpr int64_t kShortAxis = 32;

// True when candidate (v, k) beats (best, best_k) for the first-maximum rule: NaNs first (the earliest
// one), then the larger value, then the earlier position.
template <class T>
__device__ bool beats(T v, int64_t k, T best, int64_t best_k) {
  if (isnan(v)) return !isnan(best) || k < best_k;
  if (isnan(best)) return false;
  return v > best || (v == best && k < best_k);
}

// ---- forward ----

// One thread per output j = (o, i): its whole column x[o, :, i].
template <class T>
__global__ void reduce_forward_short_kernel(ReduceKind kind, const T* x, T* y, int64_t* argmax, int64_t outputs,
                                            int64_t n, int64_t inner, double scale) {
  FLOWJET_KERNEL_LOOP(j, outputs) {
    const T* column = x + j / inner * n * inner + j % inner;
    if (kind == ReduceKind::Max) {
      int64_t best = 0;
      for (int64_t k = 1; k < n; ++k)
        if (beats(column[k * inner], k, column[best * inner], best)) best = k;
      argmax[j] = best;
      y[j] = column[best * inner];
    } else {
      double acc = 0;
      for (int64_t k = 0; k < n; ++k) acc += static_cast<double>(column[k * inner]);
      y[j] = static_cast<T>(n == 0 ? 0.0 * scale : acc * scale);  // n == 0: 0 for sum, 0 * inf = NaN for mean
    }
  }
}

// One block per output (sum and mean).
template <class T>
__global__ void reduce_sum_long_kernel(const T* x, T* y, int64_t outputs, int64_t n, int64_t inner, double scale) {
  for (int64_t j = blockIdx.x; j < outputs; j += gridDim.x) {
    const T* column = x + j / inner * n * inner + j % inner;
    const double total = cuda::block_sum_of(n, [&](int64_t k) { return column[k * inner]; });
    if (threadIdx.x == 0) y[j] = static_cast<T>(total * scale);
  }
}

// One block of kBlockSize threads per output (max): each thread keeps its best candidate, then a tree merge.
template <class T>
__global__ void reduce_max_long_kernel(const T* x, T* y, int64_t* argmax, int64_t outputs, int64_t n, int64_t inner) {
  __shared__ T values[cuda::kBlockSize];
  __shared__ int64_t positions[cuda::kBlockSize];
  for (int64_t j = blockIdx.x; j < outputs; j += gridDim.x) {
    const T* column = x + j / inner * n * inner + j % inner;
    int64_t best = threadIdx.x < n ? threadIdx.x : 0;
    for (int64_t k = threadIdx.x + blockDim.x; k < n; k += blockDim.x)
      if (beats(column[k * inner], k, column[best * inner], best)) best = k;
    __syncthreads();  // the previous output's merge has finished reading the slots
    values[threadIdx.x] = column[best * inner];
    positions[threadIdx.x] = best;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
      if (threadIdx.x < half && beats(values[threadIdx.x + half], positions[threadIdx.x + half], values[threadIdx.x],
                                      positions[threadIdx.x])) {
        values[threadIdx.x] = values[threadIdx.x + half];
        positions[threadIdx.x] = positions[threadIdx.x + half];
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      argmax[j] = positions[0];
      y[j] = values[0];
    }
  }
}

// ---- backward ----

// d max / dx_k = 1 only at the recorded argmax: one thread per output, each adding to its own element.
template <class T>
__global__ void reduce_max_backward_kernel(const T* grad_y, const int64_t* argmax, T* grad_x, int64_t outputs,
                                           int64_t n, int64_t inner) {
  FLOWJET_KERNEL_LOOP(j, outputs) { grad_x[j / inner * n * inner + argmax[j] * inner + j % inner] += grad_y[j]; }
}

// Every x[o, k, i] receives grad_y[o, i] * scale (1, or 1/n for the mean).
template <class T>
__global__ void reduce_sum_backward_kernel(const T* grad_y, T* grad_x, int64_t count, int64_t n, int64_t inner,
                                           T scale) {
  FLOWJET_KERNEL_LOOP(i, count) { grad_x[i] += grad_y[i / (n * inner) * inner + i % inner] * scale; }
}

unsigned blocks_for(int64_t outputs) { return static_cast<unsigned>(outputs < 65535 * 8 ? outputs : 65535 * 8); }

}  // namespace

// ---- launchers ----

template <class T>
void reduce_forward_cuda(ReduceKind kind, const T* x, T* y, int64_t* argmax, int64_t outer, int64_t n, int64_t inner) {
  const int64_t outputs = outer * inner;
  if (outputs == 0) return;
  const double scale = kind == ReduceKind::Mean ? 1.0 / static_cast<double>(n) : 1.0;
  cudaStream_t s = cuda::stream();
  if (n <= kShortAxis) {
    reduce_forward_short_kernel<T>
        <<<cuda::grid_for(outputs), cuda::kBlockSize, 0, s>>>(kind, x, y, argmax, outputs, n, inner, scale);
  } else if (kind == ReduceKind::Max) {
    reduce_max_long_kernel<T><<<blocks_for(outputs), cuda::kBlockSize, 0, s>>>(x, y, argmax, outputs, n, inner);
  } else {
    // A single output (a full reduction) gets the largest block.
    const unsigned threads = outputs == 1 ? 1024 : cuda::kBlockSize;
    reduce_sum_long_kernel<T><<<blocks_for(outputs), threads, 0, s>>>(x, y, outputs, n, inner, scale);
  }
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void reduce_backward_cuda(ReduceKind kind, const T* grad_y, const int64_t* argmax, T* grad_x, int64_t outer, int64_t n,
                          int64_t inner) {
  cudaStream_t s = cuda::stream();
  if (kind == ReduceKind::Max) {
    const int64_t outputs = outer * inner;
    if (outputs == 0) return;
    reduce_max_backward_kernel<T>
        <<<cuda::grid_for(outputs), cuda::kBlockSize, 0, s>>>(grad_y, argmax, grad_x, outputs, n, inner);
  } else {
    const int64_t count = outer * n * inner;
    if (count == 0) return;
    const T scale = kind == ReduceKind::Mean ? T(1) / static_cast<T>(n) : T(1);
    reduce_sum_backward_kernel<T>
        <<<cuda::grid_for(count), cuda::kBlockSize, 0, s>>>(grad_y, grad_x, count, n, inner, scale);
  }
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template void reduce_forward_cuda<float>(ReduceKind, const float*, float*, int64_t*, int64_t, int64_t, int64_t);
template void reduce_forward_cuda<double>(ReduceKind, const double*, double*, int64_t*, int64_t, int64_t, int64_t);
template void reduce_backward_cuda<float>(ReduceKind, const float*, const int64_t*, float*, int64_t, int64_t, int64_t);
template void reduce_backward_cuda<double>(ReduceKind, const double*, const int64_t*, double*, int64_t, int64_t,
                                           int64_t);

}  // namespace flowjet
