// CPU kernels of dropout: an element-wise product with the keep-mask, split over the thread pool.
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/dropout/dropout.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;
}

// ---- forward ----

template <class T>
void dropout_forward_cpu(const T* x, const T* keep_mask, T* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = x[i] * keep_mask[i];
  });
}

// ---- backward ----

template <class T>
void dropout_backward_cpu(const T* keep_mask, const T* grad_y, T* grad_x, int64_t n) {
  // dL/dx = dL/dy * keep_mask
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) grad_x[i] += grad_y[i] * keep_mask[i];
  });
}

#define FLOWJET_INSTANTIATE_DROPOUT(T)                                   \
  template void dropout_forward_cpu<T>(const T*, const T*, T*, int64_t); \
  template void dropout_backward_cpu<T>(const T*, const T*, T*, int64_t);
FLOWJET_INSTANTIATE_DROPOUT(float)
FLOWJET_INSTANTIATE_DROPOUT(double)

}  // namespace flowjet
