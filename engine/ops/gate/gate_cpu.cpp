// CPU kernels of the fused gate x * sigmoid(g), on rows so glu can read both halves in place. sigmoid(g)
// comes a block at a time from the vector exp (sigmoid_cpu.h, the same bits as gate_residual's and the
// sigmoid op's), then the formulas of gate_math.h run as vectorised loops over the block.
#include <algorithm>

#include "engine/backend/cpu/lanes.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/gate/gate.h"
#include "engine/ops/gate/gate_math.h"
#include "engine/ops/unary/sigmoid_cpu.h"

namespace flowjet {
namespace {

constexpr int64_t kGrain = 1 << 15;

template <class Body>
void for_rows(int64_t rows, int64_t width, Body body) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(width, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) body(r);
  });
}

}  // namespace

template <class T>
void gate_forward_cpu(const T* x, const T* g, T* y, int64_t rows, int64_t width, int64_t in_stride) {
  for_rows(rows, width, [&](int64_t r) {
    const T* xr = x + r * in_stride;
    T* yr = y + r * width;
    for_sigmoid_blocks(g + r * in_stride, width, [&](int64_t j, const T* s, int64_t m) {
      lanes::for_columns(m, [&](int64_t k) { yr[j + k] = xr[j + k] * s[k]; });
    });
  });
}

template <class T>
void gate_backward_cpu(const T* x, const T* g, const T* grad_y, T* grad_x, T* grad_g, int64_t rows, int64_t width,
                       int64_t in_stride) {
  for_rows(rows, width, [&](int64_t r) {
    const T* xr = x + r * in_stride;
    const T* gy = grad_y + r * width;
    T* gxr = grad_x ? grad_x + r * in_stride : nullptr;
    T* ggr = grad_g ? grad_g + r * in_stride : nullptr;
    for_sigmoid_blocks(g + r * in_stride, width, [&](int64_t j, const T* s, int64_t m) {
      if (gxr) lanes::for_columns(m, [&](int64_t k) { gxr[j + k] += gate_grad_x(s[k], gy[j + k]); });
      if (ggr) lanes::for_columns(m, [&](int64_t k) { ggr[j + k] += gate_grad_g(xr[j + k], s[k], gy[j + k]); });
    });
  });
}

template void gate_forward_cpu<float>(const float*, const float*, float*, int64_t, int64_t, int64_t);
template void gate_forward_cpu<double>(const double*, const double*, double*, int64_t, int64_t, int64_t);
template void gate_backward_cpu<float>(const float*, const float*, const float*, float*, float*, int64_t, int64_t,
                                       int64_t);
template void gate_backward_cpu<double>(const double*, const double*, const double*, double*, double*, int64_t,
                                        int64_t, int64_t);

}  // namespace flowjet
