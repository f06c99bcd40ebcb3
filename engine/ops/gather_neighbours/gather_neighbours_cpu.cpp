// CPU kernels of gather_neighbours: row copies forward, row additions backward, parallel over groups.
#include <algorithm>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/gather_neighbours/gather_neighbours.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;  // values per task, roughly

int64_t group_grain(int64_t points, int64_t k, int64_t channels) {
  return std::max<int64_t>(1, kGrain / std::max<int64_t>(points * k * channels, 1));
}
}  // namespace

template <class T>
void gather_neighbours_forward_cpu(const T* x, const int64_t* index, T* y, int64_t groups, int64_t points, int64_t k,
                                   int64_t channels) {
  parallel_for(groups, group_grain(points, k, channels), [&](int64_t begin, int64_t end) {
    for (int64_t g = begin; g < end; ++g) {
      const T* xg = x + g * points * channels;
      for (int64_t e = g * points * k; e < (g + 1) * points * k; ++e)  // e = (g, i, m) flattened
        std::copy_n(xg + index[e] * channels, channels, y + e * channels);
    }
  });
}

template <class T>
void gather_neighbours_backward_cpu(const T* grad_y, const int64_t* index, T* grad_x, int64_t groups, int64_t points,
                                    int64_t k, int64_t channels) {
  parallel_for(groups, group_grain(points, k, channels), [&](int64_t begin, int64_t end) {
    for (int64_t g = begin; g < end; ++g) {
      T* gx = grad_x + g * points * channels;
      for (int64_t e = g * points * k; e < (g + 1) * points * k; ++e) {
        T* target = gx + index[e] * channels;
        const T* source = grad_y + e * channels;
        for (int64_t c = 0; c < channels; ++c) target[c] += source[c];
      }
    }
  });
}

template void gather_neighbours_forward_cpu<float>(const float*, const int64_t*, float*, int64_t, int64_t, int64_t,
                                                   int64_t);
template void gather_neighbours_forward_cpu<double>(const double*, const int64_t*, double*, int64_t, int64_t, int64_t,
                                                    int64_t);
template void gather_neighbours_backward_cpu<float>(const float*, const int64_t*, float*, int64_t, int64_t, int64_t,
                                                    int64_t);
template void gather_neighbours_backward_cpu<double>(const double*, const int64_t*, double*, int64_t, int64_t,
                                                     int64_t, int64_t);

}  // namespace flowjet
