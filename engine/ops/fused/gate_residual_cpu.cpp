// CPU kernels of gate_residual: element-wise loops over the thread pool, formulas from fused_math.h.
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/fused/fused_math.h"
#include "engine/ops/fused/gate_residual.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 14;  // each element costs an exp
}

template <class T>
void gate_residual_forward_cpu(const T* h, const T* t, const T* g, T* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = gate_residual_value(h[i], t[i], g[i]);
  });
}

template <class T>
void gate_residual_backward_cpu(const T* t, const T* g, const T* grad_y, T* grad_h, T* grad_t, T* grad_g, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      if (grad_h) grad_h[i] += grad_y[i];
      if (!grad_t && !grad_g) continue;
      T dt, dg;
      gate_residual_grads(t[i], g[i], grad_y[i], dt, dg);
      if (grad_t) grad_t[i] += dt;
      if (grad_g) grad_g[i] += dg;
    }
  });
}

#define FLOWJET_INSTANTIATE_GATE_RESIDUAL(T)                                           \
  template void gate_residual_forward_cpu<T>(const T*, const T*, const T*, T*, int64_t); \
  template void gate_residual_backward_cpu<T>(const T*, const T*, const T*, T*, T*, T*, int64_t);
FLOWJET_INSTANTIATE_GATE_RESIDUAL(float)
FLOWJET_INSTANTIATE_GATE_RESIDUAL(double)

}  // namespace flowjet
