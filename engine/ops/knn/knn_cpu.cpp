// CPU kernel of knn: per group, the symmetric matrix of squared distances, then for each point a
// partial sort of the other points by (distance, point number). Parallel over groups.
#include <algorithm>
#include <utility>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/knn/knn.h"
#include "engine/ops/knn/knn_distance.h"

namespace flowjet {

template <class T>
void knn_forward_cpu(const T* x, int64_t* index, int64_t groups, int64_t points, int64_t features, int64_t k) {
  if (k == 0) return;
  const int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(points * points * features, 1));
  parallel_for(groups, grain, [&](int64_t begin, int64_t end) {
    std::vector<T> distance(static_cast<std::size_t>(points * points));  // [points, points]
    std::vector<std::pair<T, int64_t>> candidates;
    candidates.reserve(static_cast<std::size_t>(points));
    for (int64_t g = begin; g < end; ++g) {
      const T* xg = x + g * points * features;
      for (int64_t i = 0; i < points; ++i) {
        for (int64_t j = i + 1; j < points; ++j) {
          const T d = knn_squared_distance(xg + i * features, xg + j * features, features);
          distance[static_cast<std::size_t>(i * points + j)] = d;
          distance[static_cast<std::size_t>(j * points + i)] = d;  // d(i, j) == d(j, i) exactly
        }
      }
      for (int64_t i = 0; i < points; ++i) {
        candidates.clear();
        for (int64_t j = 0; j < points; ++j)
          if (j != i) candidates.emplace_back(distance[static_cast<std::size_t>(i * points + j)], j);
        // Pairs compare by distance, then by point number: ties go to the lower index.
        std::partial_sort(candidates.begin(), candidates.begin() + k, candidates.end());
        int64_t* out = index + (g * points + i) * k;
        for (int64_t m = 0; m < k; ++m) out[m] = candidates[static_cast<std::size_t>(m)].second;
      }
    }
  });
}

template void knn_forward_cpu<float>(const float*, int64_t*, int64_t, int64_t, int64_t, int64_t);
template void knn_forward_cpu<double>(const double*, int64_t*, int64_t, int64_t, int64_t, int64_t);

}  // namespace flowjet
