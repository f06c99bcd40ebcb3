// CPU kernels of the unary ops: plain loops split over the thread pool, formulas from unary_math.h.
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/unary/unary.h"
#include "engine/ops/unary/unary_math.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;
}  // namespace

template <class T>
void unary_forward_cpu(UnaryKind kind, const T* x, T* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = unary_value(kind, x[i]);
  });
}

template <class T>
void unary_backward_cpu(UnaryKind kind, const T* x, const T* y, const T* grad_y, T* grad_x, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) grad_x[i] += grad_y[i] * unary_derivative(kind, x[i], y[i]);
  });
}

template void unary_forward_cpu<float>(UnaryKind, const float*, float*, int64_t);
template void unary_forward_cpu<double>(UnaryKind, const double*, double*, int64_t);
template void unary_backward_cpu<float>(UnaryKind, const float*, const float*, const float*, float*, int64_t);
template void unary_backward_cpu<double>(UnaryKind, const double*, const double*, const double*, double*, int64_t);

}  // namespace flowjet
