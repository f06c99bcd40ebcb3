// CPU kernels of softmax and log_softmax along rows, one row per task chunk; row sums in double.
#include <algorithm>
#include <cmath>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/softmax/softmax.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 14;
}

template <class T>
void softmax_forward_cpu(bool is_log, const T* x, T* y, int64_t rows, int64_t width) {
  if (width == 0) return;
  parallel_for(rows, std::max<int64_t>(1, kGrain / width), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const T* xr = x + r * width;
      T* yr = y + r * width;
      T m = xr[0];
      for (int64_t j = 1; j < width; ++j) m = std::max(m, xr[j]);
      double total = 0.0;
      for (int64_t j = 0; j < width; ++j) {
        const T e = std::exp(xr[j] - m);  // <= 1: no overflow
        total += static_cast<double>(e);
        if (!is_log) yr[j] = e;
      }
      if (is_log) {
        const T shift = m + static_cast<T>(std::log(total));
        for (int64_t j = 0; j < width; ++j) yr[j] = xr[j] - shift;
      } else {
        const T inv = static_cast<T>(1.0 / total);
        for (int64_t j = 0; j < width; ++j) yr[j] *= inv;
      }
    }
  });
}

template <class T>
void softmax_backward_cpu(bool is_log, const T* y, const T* grad_y, T* grad_x, int64_t rows, int64_t width) {
  if (width == 0) return;
  parallel_for(rows, std::max<int64_t>(1, kGrain / width), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const T* yr = y + r * width;
      const T* g = grad_y + r * width;
      T* gx = grad_x + r * width;
      double dot = 0.0;  // softmax: sum_k g_k y_k; log_softmax: sum_k g_k
      for (int64_t j = 0; j < width; ++j) dot += static_cast<double>(is_log ? g[j] : g[j] * yr[j]);
      const T s = static_cast<T>(dot);
      if (is_log) {
        for (int64_t j = 0; j < width; ++j) gx[j] += g[j] - std::exp(yr[j]) * s;
      } else {
        for (int64_t j = 0; j < width; ++j) gx[j] += yr[j] * (g[j] - s);
      }
    }
  });
}

template void softmax_forward_cpu<float>(bool, const float*, float*, int64_t, int64_t);
template void softmax_forward_cpu<double>(bool, const double*, double*, int64_t, int64_t);
template void softmax_backward_cpu<float>(bool, const float*, const float*, float*, int64_t, int64_t);
template void softmax_backward_cpu<double>(bool, const double*, const double*, double*, int64_t, int64_t);

}  // namespace flowjet
