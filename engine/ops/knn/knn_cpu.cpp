// CPU kernel of knn: per group, the matrix of squared distances in blocks of rows x vector lanes,
// then for each point the k smallest (distance, point number) pairs by insertion. Parallel over groups.
#include <algorithm>
#include <vector>

#include "engine/backend/cpu/lanes.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/knn/knn.h"
#include "engine/ops/knn/knn_distance.h"

namespace flowjet {

namespace {

/// out[0..k) = the points j != i with the k smallest distance[j], nearest first, equal distances to
/// the lower point number: j runs upwards, and a later j only passes entries strictly farther away.
/// distance holds no NaN (knn_distance_or_infinity). nearest: scratch of k distances.
template <class T>
void k_nearest(const T* distance, int64_t points, int64_t i, int64_t k, T* nearest, int64_t* out) {
  int64_t count = 0;
  for (int64_t j = 0; j < points; ++j) {
    const T d = distance[j];
    if (j == i || (count == k && !(d < nearest[k - 1]))) continue;
    int64_t m = count < k ? count++ : k - 1;  // a full list drops its last entry
    for (; m > 0 && d < nearest[m - 1]; --m) {
      nearest[m] = nearest[m - 1];
      out[m] = out[m - 1];
    }
    nearest[m] = d;
    out[m] = j;
  }
}

/// Rows of the distance matrix computed together: kRows x kLanes accumulators stay in registers over
/// the feature loop, and their kRows independent fma chains hide each other's latency.
constexpr int64_t kRows = 8;
static_assert(lanes::kLanes % kRows == 0, "a width of whole lane groups must be whole row groups too");

/// distance[i * width + j] = knn_squared_distance(x_i, x_j) for i, j < points (entries beyond are
/// scratch): rows [width, features] and columns [features, width] hold the group zero-padded to
/// width, a multiple of kRows and kLanes. Each lane adds its terms in feature order from 0.
template <class T>
void distance_matrix(const T* rows, const T* columns, int64_t width, int64_t features, T* distance) {
  constexpr int64_t L = lanes::kLanes;
  for (int64_t i0 = 0; i0 < width; i0 += kRows)
    for (int64_t j0 = 0; j0 < width; j0 += L) {
      T acc[kRows][L] = {};
      for (int64_t f = 0; f < features; ++f) {
        const T* column = columns + f * width + j0;
#pragma GCC unroll 8  // kRows: GCC's -O2 keeps the accumulators in registers only when unrolled
        for (int64_t r = 0; r < kRows; ++r) {
          const T xi = rows[(i0 + r) * features + f];
#pragma GCC ivdep
          for (int64_t l = 0; l < L; ++l) acc[r][l] = knn_distance_term(xi, column[l], acc[r][l]);
        }
      }
      for (int64_t r = 0; r < kRows; ++r)
        for (int64_t l = 0; l < L; ++l) distance[(i0 + r) * width + j0 + l] = knn_distance_or_infinity(acc[r][l]);
    }
}

}  // namespace

template <class T>
void knn_forward_cpu(const T* x, int64_t* index, int64_t groups, int64_t points, int64_t features, int64_t k) {
  if (k == 0) return;
  const int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(points * points * features, 1));
  const int64_t width = (points + lanes::kLanes - 1) / lanes::kLanes * lanes::kLanes;
  parallel_for(groups, grain, [&](int64_t begin, int64_t end) {
    std::vector<T> rows(static_cast<std::size_t>(width * features), T(0));     // [width, features]
    std::vector<T> columns(static_cast<std::size_t>(features * width), T(0));  // [features, width]
    std::vector<T> distance(static_cast<std::size_t>(width * width));
    std::vector<T> nearest(static_cast<std::size_t>(k));
    for (int64_t g = begin; g < end; ++g) {
      const T* xg = x + g * points * features;
      std::copy(xg, xg + points * features, rows.begin());
      for (int64_t j = 0; j < points; ++j)
        for (int64_t f = 0; f < features; ++f) columns[static_cast<std::size_t>(f * width + j)] = xg[j * features + f];
      distance_matrix(rows.data(), columns.data(), width, features, distance.data());
      for (int64_t i = 0; i < points; ++i)
        k_nearest(&distance[static_cast<std::size_t>(i * width)], points, i, k, nearest.data(),
                  index + (g * points + i) * k);
    }
  });
}

template void knn_forward_cpu<float>(const float*, int64_t*, int64_t, int64_t, int64_t, int64_t);
template void knn_forward_cpu<double>(const double*, int64_t*, int64_t, int64_t, int64_t, int64_t);

}  // namespace flowjet
