// CUDA kernels of the rational-quadratic spline: one thread per element around the per-element formulas
// of rqs_spline_math.h (shared with the CPU kernels), then one thread per row for the log|det| row sums,
// taken in feature order like the CPU's.
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/rqs_spline/rqs_spline_dispatch.h"

namespace flowjet {
namespace {

template <class T, int K, bool Inverse>
__global__ void forward_kernel(const T* inputs, const T* params, int64_t count, rqs::Constants<T> c, T* outputs,
                               T* element_logabsdet) {
  const int64_t stride = rqs::params_per_element(K > 0 ? K : c.bins);
  FLOWJET_KERNEL_LOOP(i, count) {
    outputs[i] = rqs::element_forward<T, K>(params + i * stride, inputs[i], c, Inverse, &element_logabsdet[i]);
  }
}

template <class T>
__global__ void row_sum_kernel(const T* element_logabsdet, int64_t rows, int64_t features, T* logabsdet) {
  FLOWJET_KERNEL_LOOP(n, rows) {
    T total = T(0);
    for (int64_t i = n * features; i < (n + 1) * features; ++i) total += element_logabsdet[i];
    logabsdet[n] = total;
  }
}

template <class T, int K, bool Inverse>
__global__ void backward_kernel(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet,
                                int64_t count, int64_t features, rqs::Constants<T> c, T* grad_inputs,
                                T* grad_params) {
  const int64_t stride = rqs::params_per_element(K > 0 ? K : c.bins);
  FLOWJET_KERNEL_LOOP(i, count) {
    T grad_logits[rqs::params_per_element(rqs::capacity(K))];
    const T grad_v = rqs::element_backward<T, K>(params + i * stride, inputs[i], grad_outputs[i],
                                                 grad_logabsdet[i / features], c, Inverse,
                                                 grad_params ? grad_logits : nullptr);
    if (grad_inputs) grad_inputs[i] += grad_v;
    if (grad_params)
      for (int64_t j = 0; j < stride; ++j) grad_params[i * stride + j] += grad_logits[j];
  }
}

// Small blocks: each thread holds its knots in registers or local memory.
constexpr int kSplineBlock = 128;

unsigned spline_grid(int64_t count) {
  const int64_t blocks = (count + kSplineBlock - 1) / kSplineBlock;
  return static_cast<unsigned>(blocks > 65535 * 16 ? 65535 * 16 : blocks);
}

}  // namespace

template <class T>
void rqs_spline_forward_cuda(const T* inputs, const T* params, int64_t rows, int64_t features,
                             const RqsSplineOptions& options, bool inverse, T* outputs, T* logabsdet,
                             T* element_logabsdet) {
  const int64_t count = rows * features;
  if (rows == 0) return;
  const rqs::Constants<T> c = rqs::make_constants<T>(options);
  rqs::dispatch_bins(c.bins, [&](auto bins) {
    constexpr int K = decltype(bins)::value;
    auto kernel = inverse ? forward_kernel<T, K, true> : forward_kernel<T, K, false>;
    if (count > 0)
      kernel<<<spline_grid(count), kSplineBlock, 0, cuda::stream()>>>(inputs, params, count, c, outputs,
                                                                        element_logabsdet);
  });
  FLOWJET_CUDA_CHECK_LAUNCH();
  row_sum_kernel<T><<<spline_grid(rows), kSplineBlock, 0, cuda::stream()>>>(element_logabsdet, rows, features,
                                                                            logabsdet);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void rqs_spline_backward_cuda(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet,
                              int64_t rows, int64_t features, const RqsSplineOptions& options, bool inverse,
                              T* grad_inputs, T* grad_params) {
  const int64_t count = rows * features;
  if (count == 0) return;
  const rqs::Constants<T> c = rqs::make_constants<T>(options);
  rqs::dispatch_bins(c.bins, [&](auto bins) {
    constexpr int K = decltype(bins)::value;
    auto kernel = inverse ? backward_kernel<T, K, true> : backward_kernel<T, K, false>;
    kernel<<<spline_grid(count), kSplineBlock, 0, cuda::stream()>>>(inputs, params, grad_outputs, grad_logabsdet,
                                                                      count, features, c, grad_inputs, grad_params);
  });
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_RQS_SPLINE_CUDA(T)                                                                  \
  template void rqs_spline_forward_cuda<T>(const T*, const T*, int64_t, int64_t, const RqsSplineOptions&, bool, \
                                           T*, T*, T*);                                                         \
  template void rqs_spline_backward_cuda<T>(const T*, const T*, const T*, const T*, int64_t, int64_t,          \
                                            const RqsSplineOptions&, bool, T*, T*);
FLOWJET_INSTANTIATE_RQS_SPLINE_CUDA(float)
FLOWJET_INSTANTIATE_RQS_SPLINE_CUDA(double)

}  // namespace flowjet
