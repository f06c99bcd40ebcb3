// CPU kernels of the rational-quadratic spline: the loops of rqs_spline_cpu_body.h on the instruction set
// the GEMM uses (engine/backend/cpu/cpu_isa.h, FLOWJET_ISA): 16 f32 / 8 f64 lanes with AVX-512 (compiled in
// rqs_spline_cpu_avx512.cpp), 8 / 4 lanes with AVX2, one element at a time (the scalar per-element code,
// as CUDA runs it) with "generic".
#include "engine/backend/cpu/cpu_isa.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/rqs_spline/rqs_spline_cpu_body.h"
#include "engine/ops/rqs_spline/rqs_spline_lanes.h"

namespace flowjet {

template <class T>
void rqs_spline_forward_cpu(const T* inputs, const T* params, int64_t rows, int64_t features,
                            const RqsSplineOptions& options, bool inverse, T* outputs, T* logabsdet) {
  const rqs::Constants<T> c = rqs::make_constants<T>(options);
  switch (gemm_isa()) {
    case GemmIsa::avx512: rqs::forward_avx512(inputs, params, rows, features, c, inverse, outputs, logabsdet); break;
    case GemmIsa::avx2:
      rqs::forward_cpu<rqs::Lanes<T, 32 / sizeof(T)>>(inputs, params, rows, features, c, inverse, outputs, logabsdet);
      break;
    case GemmIsa::generic: rqs::forward_cpu<T>(inputs, params, rows, features, c, inverse, outputs, logabsdet); break;
  }
}

template <class T>
void rqs_spline_backward_cpu(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet,
                             int64_t rows, int64_t features, const RqsSplineOptions& options, bool inverse,
                             T* grad_inputs, T* grad_params) {
  const rqs::Constants<T> c = rqs::make_constants<T>(options);
  switch (gemm_isa()) {
    case GemmIsa::avx512:
      rqs::backward_avx512(inputs, params, grad_outputs, grad_logabsdet, rows, features, c, inverse, grad_inputs,
                           grad_params);
      break;
    case GemmIsa::avx2:
      rqs::backward_cpu<rqs::Lanes<T, 32 / sizeof(T)>>(inputs, params, grad_outputs, grad_logabsdet, rows, features, c,
                                                       inverse, grad_inputs, grad_params);
      break;
    case GemmIsa::generic:
      rqs::backward_cpu<T>(inputs, params, grad_outputs, grad_logabsdet, rows, features, c, inverse, grad_inputs,
                           grad_params);
      break;
  }
}

#define FLOWJET_INSTANTIATE_RQS_SPLINE_CPU(T)                                                                 \
  template void rqs_spline_forward_cpu<T>(const T*, const T*, int64_t, int64_t, const RqsSplineOptions&, bool, \
                                          T*, T*);                                                             \
  template void rqs_spline_backward_cpu<T>(const T*, const T*, const T*, const T*, int64_t, int64_t,          \
                                           const RqsSplineOptions&, bool, T*, T*);
FLOWJET_INSTANTIATE_RQS_SPLINE_CPU(float)
FLOWJET_INSTANTIATE_RQS_SPLINE_CPU(double)

}  // namespace flowjet
