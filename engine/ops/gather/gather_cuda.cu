// CUDA kernels of column gather and scatter. N rows; D columns in the wide tensor, K in the narrow one.
// The column indices come from the host; they travel as a kernel argument, up to kColumnsPerLaunch per
// launch (longer lists take several launches in order), so no upload and no synchronisation is needed.
// One thread per (row, column) element, except a scatter that adds with a column repeated within a launch:
// that one runs one thread per row, so repeated columns add up in order without racing.
#include <algorithm>
#include <vector>

#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/gather/gather.h"

namespace flowjet {
namespace {

constexpr int64_t kColumnsPerLaunch = 512;

// Narrow columns first .. first + count - 1 and the wide columns they map to (index[first + c]).
struct ColumnChunk {
  int64_t first;
  int32_t count;
  int32_t wide[kColumnsPerLaunch];
};

// ---- kernels (gather: narrow <- wide; scatter: wide <- narrow) ----

template <class T, bool is_gather>
__global__ void columns_kernel(const T* src, T* dst, int64_t N, int64_t K, int64_t D, ColumnChunk chunk,
                               bool accumulate) {
  FLOWJET_KERNEL_LOOP(i, N * chunk.count) {
    const int64_t n = i / chunk.count, c = i % chunk.count;
    const int64_t narrow = n * K + chunk.first + c, wide = n * D + chunk.wide[c];
    const T value = is_gather ? src[wide] : src[narrow];
    T& out = is_gather ? dst[narrow] : dst[wide];
    out = accumulate ? out + value : value;
  }
}

// Scatter-add with repeated wide columns: one thread per row walks the chunk in order.
template <class T>
__global__ void scatter_add_rows_kernel(const T* src, T* dst, int64_t N, int64_t K, int64_t D, ColumnChunk chunk) {
  FLOWJET_KERNEL_LOOP(n, N) {
    for (int32_t c = 0; c < chunk.count; ++c) dst[n * D + chunk.wide[c]] += src[n * K + chunk.first + c];
  }
}

// Runs launch(chunk, has_repeats) for each run of up to kColumnsPerLaunch indices.
template <class Launch>
void for_each_chunk(const int64_t* index, int64_t K, int64_t D, Launch launch) {
  std::vector<char> seen(static_cast<std::size_t>(D));
  for (int64_t first = 0; first < K; first += kColumnsPerLaunch) {
    ColumnChunk chunk{};
    chunk.first = first;
    chunk.count = static_cast<int32_t>(std::min(kColumnsPerLaunch, K - first));
    bool has_repeats = false;
    std::fill(seen.begin(), seen.end(), 0);
    for (int32_t c = 0; c < chunk.count; ++c) {
      const int64_t column = index[first + c];
      chunk.wide[c] = static_cast<int32_t>(column);
      has_repeats = has_repeats || seen[static_cast<std::size_t>(column)];
      seen[static_cast<std::size_t>(column)] = 1;
    }
    launch(chunk, has_repeats);
    FLOWJET_CUDA_CHECK_LAUNCH();
  }
}

}  // namespace

// ---- launchers ----

template <class T>
void gather_columns_cuda(const T* src, int64_t D, const int64_t* index, int64_t K, T* dst, int64_t N, bool accumulate) {
  if (N == 0) return;
  for_each_chunk(index, K, D, [&](const ColumnChunk& chunk, bool) {
    columns_kernel<T, true><<<cuda::grid_for(N * chunk.count), cuda::kBlockSize, 0, cuda::stream()>>>(
        src, dst, N, K, D, chunk, accumulate);
  });
}

template <class T>
void scatter_columns_cuda(const T* src, int64_t K, const int64_t* index, T* dst, int64_t D, int64_t N,
                          bool accumulate) {
  if (N == 0) return;
  for_each_chunk(index, K, D, [&](const ColumnChunk& chunk, bool has_repeats) {
    if (accumulate && has_repeats)
      scatter_add_rows_kernel<T><<<cuda::grid_for(N), cuda::kBlockSize, 0, cuda::stream()>>>(src, dst, N, K, D, chunk);
    else
      columns_kernel<T, false><<<cuda::grid_for(N * chunk.count), cuda::kBlockSize, 0, cuda::stream()>>>(
          src, dst, N, K, D, chunk, accumulate);
  });
}

template void gather_columns_cuda<float>(const float*, int64_t, const int64_t*, int64_t, float*, int64_t, bool);
template void gather_columns_cuda<double>(const double*, int64_t, const int64_t*, int64_t, double*, int64_t, bool);
template void scatter_columns_cuda<float>(const float*, int64_t, const int64_t*, float*, int64_t, int64_t, bool);
template void scatter_columns_cuda<double>(const double*, int64_t, const int64_t*, double*, int64_t, int64_t, bool);

}  // namespace flowjet
