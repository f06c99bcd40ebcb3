// CPU kernels of the data-movement ops: strided block copies and a tiled 2-d transpose.
#include <algorithm>
#include <cstring>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/shape/shape.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kTile = 32;  // transpose tile: 32x32 doubles fit in L1 twice over
}  // namespace

template <class T>
void copy_blocks_cpu(const T* src, int64_t src_stride, T* dst, int64_t dst_stride, int64_t rows, int64_t width,
                     bool accumulate) {
  if (width == 0) return;
  parallel_for(rows, std::max<int64_t>(1, kGrain / width), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const T* s = src + r * src_stride;
      T* d = dst + r * dst_stride;
      if (accumulate) {
        for (int64_t j = 0; j < width; ++j) d[j] += s[j];
      } else {
        std::memcpy(d, s, static_cast<std::size_t>(width) * sizeof(T));
      }
    }
  });
}

template <class T>
void transpose_cpu(const T* x, T* y, int64_t rows, int64_t cols, bool accumulate) {
  const int64_t row_tiles = (rows + kTile - 1) / kTile;
  parallel_for(row_tiles, std::max<int64_t>(1, kGrain / (kTile * std::max<int64_t>(cols, 1))),
               [&](int64_t begin, int64_t end) {
                 for (int64_t tile = begin; tile < end; ++tile) {
                   const int64_t r0 = tile * kTile, r1 = std::min(rows, r0 + kTile);
                   for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
                     const int64_t c1 = std::min(cols, c0 + kTile);
                     for (int64_t r = r0; r < r1; ++r)
                       for (int64_t c = c0; c < c1; ++c) {
                         if (accumulate) y[c * rows + r] += x[r * cols + c];
                         else y[c * rows + r] = x[r * cols + c];
                       }
                   }
                 }
               });
}

template void copy_blocks_cpu<float>(const float*, int64_t, float*, int64_t, int64_t, int64_t, bool);
template void copy_blocks_cpu<double>(const double*, int64_t, double*, int64_t, int64_t, int64_t, bool);
template void transpose_cpu<float>(const float*, float*, int64_t, int64_t, bool);
template void transpose_cpu<double>(const double*, double*, int64_t, int64_t, bool);

}  // namespace flowjet
