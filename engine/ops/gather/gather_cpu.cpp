// CPU kernels of column gather and scatter, parallel over rows (so repeated indices within a
// row never race). N rows, D columns in the wide tensor, K in the narrow one.
#include <algorithm>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/gather/gather.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;
}

template <class T>
void gather_columns_cpu(const T* src, int64_t D, const int64_t* index, int64_t K, T* dst, int64_t N,
                        bool accumulate) {
  parallel_for(N, std::max<int64_t>(1, kGrain / std::max<int64_t>(K, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const T* s = src + n * D;
      T* d = dst + n * K;
      if (accumulate) {
        for (int64_t k = 0; k < K; ++k) d[k] += s[index[k]];
      } else {
        for (int64_t k = 0; k < K; ++k) d[k] = s[index[k]];
      }
    }
  });
}

template <class T>
void scatter_columns_cpu(const T* src, int64_t K, const int64_t* index, T* dst, int64_t D, int64_t N,
                         bool accumulate) {
  parallel_for(N, std::max<int64_t>(1, kGrain / std::max<int64_t>(K, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const T* s = src + n * K;
      T* d = dst + n * D;
      if (accumulate) {
        for (int64_t k = 0; k < K; ++k) d[index[k]] += s[k];
      } else {
        for (int64_t k = 0; k < K; ++k) d[index[k]] = s[k];
      }
    }
  });
}

template void gather_columns_cpu<float>(const float*, int64_t, const int64_t*, int64_t, float*, int64_t, bool);
template void gather_columns_cpu<double>(const double*, int64_t, const int64_t*, int64_t, double*, int64_t, bool);
template void scatter_columns_cpu<float>(const float*, int64_t, const int64_t*, float*, int64_t, int64_t, bool);
template void scatter_columns_cpu<double>(const double*, int64_t, const int64_t*, double*, int64_t, int64_t, bool);

}  // namespace flowjet
