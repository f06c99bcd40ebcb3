// CPU kernels of the rational-quadratic spline: thread-pool loops over rows around the per-element
// formulas of rqs_spline_math.h. Each row's log|det| is summed in feature order inside one chunk, and
// every element writes only its own outputs and gradients, so any thread count gives the same bits.
#include <algorithm>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/rqs_spline/rqs_spline_dispatch.h"

namespace flowjet {
namespace {

// Rows per chunk: about 2048 elements (~0.1-0.3 ms of work), so the pool's overhead stays small.
int64_t row_grain(int64_t features) { return std::max<int64_t>(1, 2048 / std::max<int64_t>(features, 1)); }

template <class T, int K, bool Inverse>
void forward_rows(const T* inputs, const T* params, int64_t rows, int64_t features, const rqs::Constants<T>& c,
                  T* outputs, T* logabsdet) {
  const int64_t stride = rqs::params_per_element(K > 0 ? K : c.bins);
  parallel_for(rows, row_grain(features), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      T total = T(0);
      for (int64_t i = n * features; i < (n + 1) * features; ++i) {
        T lad;
        outputs[i] = rqs::element_forward<T, K>(params + i * stride, inputs[i], c, Inverse, &lad);
        total += lad;
      }
      logabsdet[n] = total;
    }
  });
}

template <class T, int K, bool Inverse>
void backward_rows(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet, int64_t rows,
                   int64_t features, const rqs::Constants<T>& c, T* grad_inputs, T* grad_params) {
  const int64_t stride = rqs::params_per_element(K > 0 ? K : c.bins);
  parallel_for(rows, row_grain(features), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const T grad_logdet = grad_logabsdet[n];  // d(row sum)/d(element log|det|) = 1
      for (int64_t i = n * features; i < (n + 1) * features; ++i) {
        const T grad_v = rqs::element_backward<T, K>(params + i * stride, inputs[i], grad_outputs[i], grad_logdet, c,
                                                     Inverse, grad_params ? grad_params + i * stride : nullptr);
        if (grad_inputs) grad_inputs[i] += grad_v;
      }
    }
  });
}

}  // namespace

template <class T>
void rqs_spline_forward_cpu(const T* inputs, const T* params, int64_t rows, int64_t features,
                            const RqsSplineOptions& options, bool inverse, T* outputs, T* logabsdet) {
  const rqs::Constants<T> c = rqs::make_constants<T>(options);
  rqs::dispatch_bins(c.bins, [&](auto bins) {
    constexpr int K = decltype(bins)::value;
    if (inverse)
      forward_rows<T, K, true>(inputs, params, rows, features, c, outputs, logabsdet);
    else
      forward_rows<T, K, false>(inputs, params, rows, features, c, outputs, logabsdet);
  });
}

template <class T>
void rqs_spline_backward_cpu(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet,
                             int64_t rows, int64_t features, const RqsSplineOptions& options, bool inverse,
                             T* grad_inputs, T* grad_params) {
  const rqs::Constants<T> c = rqs::make_constants<T>(options);
  rqs::dispatch_bins(c.bins, [&](auto bins) {
    constexpr int K = decltype(bins)::value;
    if (inverse)
      backward_rows<T, K, true>(inputs, params, grad_outputs, grad_logabsdet, rows, features, c, grad_inputs,
                                grad_params);
    else
      backward_rows<T, K, false>(inputs, params, grad_outputs, grad_logabsdet, rows, features, c, grad_inputs,
                                 grad_params);
  });
}

#define FLOWJET_INSTANTIATE_RQS_SPLINE_CPU(T)                                                                 \
  template void rqs_spline_forward_cpu<T>(const T*, const T*, int64_t, int64_t, const RqsSplineOptions&, bool, \
                                          T*, T*);                                                             \
  template void rqs_spline_backward_cpu<T>(const T*, const T*, const T*, const T*, int64_t, int64_t,          \
                                           const RqsSplineOptions&, bool, T*, T*);
FLOWJET_INSTANTIATE_RQS_SPLINE_CPU(float)
FLOWJET_INSTANTIATE_RQS_SPLINE_CPU(double)

}  // namespace flowjet
