// CUDA kernels of the data-movement ops: strided block copies (one thread per element) and a 2-d transpose
// through 32 x 32 shared-memory tiles, so both its reads and its writes are coalesced.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/shape/shape.h"

namespace flowjet {
namespace {

constexpr int kTile = 32;
constexpr int kTileRows = 8;  // a block of 32 x 8 threads moves one tile, four rows per thread

template <class T>
__global__ void copy_blocks_kernel(const T* src, int64_t src_stride, T* dst, int64_t dst_stride, int64_t rows,
                                   int64_t width, bool accumulate) {
  FLOWJET_KERNEL_LOOP(i, rows * width) {
    const int64_t r = i / width, j = i % width;
    const T value = src[r * src_stride + j];
    T& out = dst[r * dst_stride + j];
    out = accumulate ? out + value : value;
  }
}

// Tile (blockIdx.y, blockIdx.x) of x [rows, cols] goes to tile (blockIdx.x, blockIdx.y) of y [cols, rows].
template <class T>
__global__ void transpose_kernel(const T* x, T* y, int64_t rows, int64_t cols, bool accumulate) {
  __shared__ T tile[kTile][kTile + 1];  // +1: the column reads hit 32 different banks
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * kTile, c0 = static_cast<int64_t>(blockIdx.x) * kTile;
  for (int k = threadIdx.y; k < kTile; k += kTileRows) {
    const int64_t r = r0 + k, c = c0 + threadIdx.x;
    if (r < rows && c < cols) tile[k][threadIdx.x] = x[r * cols + c];
  }
  __syncthreads();
  for (int k = threadIdx.y; k < kTile; k += kTileRows) {
    const int64_t c = c0 + k, r = r0 + threadIdx.x;  // y[c, r] = x[r, c]
    if (r < rows && c < cols) {
      T& out = y[c * rows + r];
      out = accumulate ? out + tile[threadIdx.x][k] : tile[threadIdx.x][k];
    }
  }
}

}  // namespace

template <class T>
void copy_blocks_cuda(const T* src, int64_t src_stride, T* dst, int64_t dst_stride, int64_t rows, int64_t width,
                      bool accumulate) {
  if (rows * width == 0) return;
  copy_blocks_kernel<T><<<cuda::grid_for(rows * width), cuda::kBlockSize, 0, cuda::stream()>>>(
      src, src_stride, dst, dst_stride, rows, width, accumulate);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void transpose_cuda(const T* x, T* y, int64_t rows, int64_t cols, bool accumulate) {
  if (rows * cols == 0) return;
  const dim3 blocks(static_cast<unsigned>((cols + kTile - 1) / kTile),
                    static_cast<unsigned>((rows + kTile - 1) / kTile));
  if (blocks.y > 65535) throw CudaError("transpose: more than 65535 * 32 rows do not fit the CUDA grid");
  transpose_kernel<T><<<blocks, dim3(kTile, kTileRows), 0, cuda::stream()>>>(x, y, rows, cols, accumulate);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template void copy_blocks_cuda<float>(const float*, int64_t, float*, int64_t, int64_t, int64_t, bool);
template void copy_blocks_cuda<double>(const double*, int64_t, double*, int64_t, int64_t, int64_t, bool);
template void transpose_cuda<float>(const float*, float*, int64_t, int64_t, bool);
template void transpose_cuda<double>(const double*, double*, int64_t, int64_t, bool);

}  // namespace flowjet
