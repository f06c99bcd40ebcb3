// CPU kernels of clamp: branch-free element loops.
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/clamp/clamp.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;
}

template <class T>
void clamp_forward_cpu(const T* x, T* y, int64_t n, T min, T max) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T v = x[i];
      y[i] = v < min ? min : (v > max ? max : v);  // a NaN fails both tests and passes through
    }
  });
}

template <class T>
void clamp_backward_cpu(const T* x, const T* grad_y, T* grad_x, int64_t n, T min, T max) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) grad_x[i] += (x[i] >= min && x[i] <= max) ? grad_y[i] : T(0);
  });
}

template void clamp_forward_cpu<float>(const float*, float*, int64_t, float, float);
template void clamp_forward_cpu<double>(const double*, double*, int64_t, double, double);
template void clamp_backward_cpu<float>(const float*, const float*, float*, int64_t, float, float);
template void clamp_backward_cpu<double>(const double*, const double*, double*, int64_t, double, double);

}  // namespace flowjet
