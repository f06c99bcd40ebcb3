// CPU kernels of batchnorm_relu_dropout: batch norm's row-streaming kernels (batchnorm_rows_cpu.h) with
// relu * keep applied before each output is stored, and in the backward dL/dv recomputed per element
// from x, the statistics and the mask.
//
// flowjet never reads floating-point exception flags, so this file is compiled as if they could not be
// observed: GCC may then evaluate the ReLU test `v > 0` for every element and vectorise the backward
// loops (with trapping math it keeps them scalar). No rounding changes: the results are the same bits.
#pragma GCC optimize("no-trapping-math")

#include "engine/ops/batchnorm/batchnorm_rows_cpu.h"
#include "engine/ops/fused/batchnorm_relu_dropout.h"
#include "engine/ops/fused/fused_math.h"

namespace flowjet {
namespace {

// Calls fn(keep) with keep(i) = keep_mask[i], or 1 without a mask, so each case compiles to its own loop.
template <class T, class Fn>
void with_keep(const T* keep_mask, Fn&& fn) {
  if (keep_mask)
    fn([keep_mask](int64_t i) { return keep_mask[i]; });
  else
    fn([](int64_t) { return T(1); });
}

}  // namespace

template <class T>
void batchnorm_relu_dropout_forward_cpu(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var,
                                        T* mean, T* inv_std, const T* keep_mask, T* y, int64_t N, int64_t C,
                                        bool is_training, double momentum, double eps, BatchStatsReducer* reducer) {
  with_keep(keep_mask, [&](auto keep) {
    batchnorm_rows::forward(x, gamma, beta, running_mean, running_var, mean, inv_std, y, N, C, is_training, momentum,
                            eps, reducer, [keep](int64_t i, T v) { return relu_dropout_value(v, keep(i)); });
  });
}

template <class T>
void batchnorm_relu_dropout_apply_cpu(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                      const T* keep_mask, T* y, int64_t N, int64_t C) {
  with_keep(keep_mask, [&](auto keep) {
    batchnorm_rows::apply(x, gamma, beta, mean, inv_std, y, N, C,
                          [keep](int64_t i, T v) { return relu_dropout_value(v, keep(i)); });
  });
}

template <class T>
void batchnorm_relu_dropout_backward_cpu(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std,
                                         const T* keep_mask, const T* grad_y, T* grad_x, T* grad_gamma, T* grad_beta,
                                         int64_t N, int64_t C, bool is_training, BatchStatsReducer* reducer) {
  with_keep(keep_mask, [&](auto keep) {
    batchnorm_rows::backward(x, gamma, mean, inv_std, grad_x, grad_gamma, grad_beta, N, C, is_training, reducer,
                             [&](int64_t i, int64_t c) {
                               const T v = batchnorm_value(x[i], mean[c], inv_std[c], gamma[c], beta[c]);
                               return relu_dropout_grad(v, keep(i), grad_y[i]);
                             });
  });
}

#define FLOWJET_INSTANTIATE_BN_RELU_DROPOUT(T)                                                                      \
  template void batchnorm_relu_dropout_forward_cpu<T>(const T*, const T*, const T*, T*, T*, T*, T*, const T*, T*,    \
                                                      int64_t, int64_t, bool, double, double, BatchStatsReducer*);   \
  template void batchnorm_relu_dropout_backward_cpu<T>(const T*, const T*, const T*, const T*, const T*, const T*,   \
                                                       const T*, T*, T*, T*, int64_t, int64_t, bool,                 \
                                                       BatchStatsReducer*);                                          \
  template void batchnorm_relu_dropout_apply_cpu<T>(const T*, const T*, const T*, const T*, const T*, const T*, T*, \
                                                    int64_t, int64_t);
FLOWJET_INSTANTIATE_BN_RELU_DROPOUT(float)
FLOWJET_INSTANTIATE_BN_RELU_DROPOUT(double)

}  // namespace flowjet
