// CPU kernels of norm_relu_linear without batch norm: relu * keep and its gradient, element-wise over
// the thread pool with the formulas of fused_math.h (the batch-norm case runs batchnorm_relu_dropout's
// kernels, the product linear's).
//
// Compiled without trapping math for the reason batchnorm_relu_dropout_cpu.cpp gives: GCC may then
// vectorise the select of the backward. The results are the same bits.
#pragma GCC optimize("no-trapping-math")

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/fused/fused_math.h"
#include "engine/ops/fused/norm_relu_linear.h"

namespace flowjet {
namespace {

constexpr int64_t kGrain = 1 << 15;

// Runs body(i, keep(i)) for i < n on the thread pool, keep(i) = keep_mask[i] or 1 without a mask, so each
// case compiles to its own loop.
template <class T, class Body>
void for_each_kept(const T* keep_mask, int64_t n, Body body) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    if (keep_mask)
      for (int64_t i = begin; i < end; ++i) body(i, keep_mask[i]);
    else
      for (int64_t i = begin; i < end; ++i) body(i, T(1));
  });
}

}  // namespace

template <class T>
void relu_dropout_forward_cpu(const T* x, const T* keep_mask, T* t, int64_t n) {
  for_each_kept(keep_mask, n, [&](int64_t i, T keep) { t[i] = relu_dropout_value(x[i], keep); });
}

template <class T>
void relu_dropout_backward_cpu(const T* x, const T* keep_mask, const T* grad_t, T* grad_x, int64_t n) {
  for_each_kept(keep_mask, n, [&](int64_t i, T keep) { grad_x[i] += relu_dropout_grad(x[i], keep, grad_t[i]); });
}

#define FLOWJET_INSTANTIATE_RELU_DROPOUT(T)                                       \
  template void relu_dropout_forward_cpu<T>(const T*, const T*, T*, int64_t); \
  template void relu_dropout_backward_cpu<T>(const T*, const T*, const T*, T*, int64_t);
FLOWJET_INSTANTIATE_RELU_DROPOUT(float)
FLOWJET_INSTANTIATE_RELU_DROPOUT(double)

}  // namespace flowjet
