// CPU kernels of the fused gate x * sigmoid(g), on rows so glu can read both halves in place; the stable
// sigmoid is the one of engine/ops/unary/logistic.h, shared with the CUDA kernels.
#include <algorithm>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/gate/gate.h"
#include "engine/ops/unary/logistic.h"

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
    const T* gr = g + r * in_stride;
    T* yr = y + r * width;
    for (int64_t j = 0; j < width; ++j) yr[j] = xr[j] * sigmoid_value(gr[j]);
  });
}

template <class T>
void gate_backward_cpu(const T* x, const T* g, const T* grad_y, T* grad_x, T* grad_g, int64_t rows, int64_t width,
                       int64_t in_stride) {
  for_rows(rows, width, [&](int64_t r) {
    const T* xr = x + r * in_stride;
    const T* gr = g + r * in_stride;
    const T* gy = grad_y + r * width;
    for (int64_t j = 0; j < width; ++j) {
      const T s = sigmoid_value(gr[j]);
      if (grad_x) grad_x[r * in_stride + j] += gy[j] * s;                       // w.r.t. x
      if (grad_g) grad_g[r * in_stride + j] += gy[j] * xr[j] * s * (T(1) - s);  // w.r.t. g: sigmoid' = s(1-s)
    }
  });
}

template void gate_forward_cpu<float>(const float*, const float*, float*, int64_t, int64_t, int64_t);
template void gate_forward_cpu<double>(const double*, const double*, double*, int64_t, int64_t, int64_t);
template void gate_backward_cpu<float>(const float*, const float*, const float*, float*, float*, int64_t, int64_t,
                                       int64_t);
template void gate_backward_cpu<double>(const double*, const double*, const double*, double*, double*, int64_t,
                                        int64_t, int64_t);

}  // namespace flowjet
