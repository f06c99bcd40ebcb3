// CPU kernels of gate_residual: element-wise loops over the thread pool. sigmoid(g) comes a block at a time
// from the vector exp (sigmoid_cpu.h, the same bits as the gate op's), then the formulas of fused_math.h
// and gate_math.h run as vectorised loops over the block.
#include "engine/backend/cpu/lanes.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/fused/fused_math.h"
#include "engine/ops/fused/gate_residual.h"
#include "engine/ops/unary/sigmoid_cpu.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;
}

template <class T>
void gate_residual_forward_cpu(const T* h, const T* t, const T* g, T* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for_sigmoid_blocks(g + begin, end - begin, [&](int64_t j, const T* s, int64_t m) {
      const int64_t o = begin + j;
      lanes::for_columns(m, [&](int64_t k) { y[o + k] = gate_residual_value(h[o + k], t[o + k], s[k]); });
    });
  });
}

template <class T>
void gate_residual_backward_cpu(const T* t, const T* g, const T* grad_y, T* grad_h, T* grad_t, T* grad_g, int64_t n,
                                GateResidualOverwrite overwrite) {
  // All three gradients in one sweep over blocks, so grad_y comes from memory once. (With grad_h alone, a
  // case the ResidualNet never has, the sigmoid is computed for nothing.)
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for_sigmoid_blocks(g + begin, end - begin, [&](int64_t j, const T* s, int64_t m) {
      const int64_t o = begin + j;
      // out[o + k] = value(k) into a fresh buffer, += otherwise: two loops, each vectorised.
      auto put = [&](T* out, bool store, auto value) {
        if (store)
          lanes::for_columns(m, [&](int64_t k) { out[o + k] = value(k); });
        else
          lanes::for_columns(m, [&](int64_t k) { out[o + k] += value(k); });
      };
      if (grad_h) put(grad_h, overwrite.h, [&](int64_t k) { return grad_y[o + k]; });
      if (grad_t) put(grad_t, overwrite.t, [&](int64_t k) { return gate_grad_x(s[k], grad_y[o + k]); });
      if (grad_g) put(grad_g, overwrite.g, [&](int64_t k) { return gate_grad_g(t[o + k], s[k], grad_y[o + k]); });
    });
  });
}

#define FLOWJET_INSTANTIATE_GATE_RESIDUAL(T)                                           \
  template void gate_residual_forward_cpu<T>(const T*, const T*, const T*, T*, int64_t); \
  template void gate_residual_backward_cpu<T>(const T*, const T*, const T*, T*, T*, T*, int64_t, GateResidualOverwrite);
FLOWJET_INSTANTIATE_GATE_RESIDUAL(float)
FLOWJET_INSTANTIATE_GATE_RESIDUAL(double)

}  // namespace flowjet
