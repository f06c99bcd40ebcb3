// The spline's CPU kernels on 16 f32 / 8 f64 lanes. Compiled with -mavx512f (Makefile) and called only
// after gemm_isa() chose AVX-512, which it does only where the CPU has it.
#include "engine/ops/rqs_spline/rqs_spline_cpu_body.h"
#include "engine/ops/rqs_spline/rqs_spline_lanes.h"

namespace flowjet {
namespace rqs {

template <class T>
void forward_avx512(const T* inputs, const T* params, int64_t rows, int64_t features, const Constants<T>& c,
                    bool inverse, T* outputs, T* logabsdet) {
  forward_cpu<Lanes<T, 64 / sizeof(T)>>(inputs, params, rows, features, c, inverse, outputs, logabsdet);
}

template <class T>
void backward_avx512(const T* inputs, const T* params, const T* grad_outputs, const T* grad_logabsdet, int64_t rows,
                     int64_t features, const Constants<T>& c, bool inverse, T* grad_inputs, T* grad_params) {
  backward_cpu<Lanes<T, 64 / sizeof(T)>>(inputs, params, grad_outputs, grad_logabsdet, rows, features, c, inverse,
                                         grad_inputs, grad_params);
}

#define FLOWJET_INSTANTIATE_RQS_SPLINE_AVX512(T)                                                              \
  template void forward_avx512<T>(const T*, const T*, int64_t, int64_t, const Constants<T>&, bool, T*, T*); \
  template void backward_avx512<T>(const T*, const T*, const T*, const T*, int64_t, int64_t, const Constants<T>&, \
                                   bool, T*, T*);
FLOWJET_INSTANTIATE_RQS_SPLINE_AVX512(float)
FLOWJET_INSTANTIATE_RQS_SPLINE_AVX512(double)

}  // namespace rqs
}  // namespace flowjet
