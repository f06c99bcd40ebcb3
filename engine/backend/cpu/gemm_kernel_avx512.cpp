// The AVX-512F micro-kernel (see gemm_kernel_body.h). Compiled with -mavx512f (Makefile) and
// called only after gemm_isa_supported(GemmIsa::avx512).
#include <immintrin.h>

#include "engine/backend/cpu/gemm_kernel.h"
#include "engine/backend/cpu/gemm_kernel_body.h"

namespace flowjet {
namespace gemm_detail {
namespace {

// Partial vectors use AVX-512's per-lane masks: masked-off lanes are neither read nor written.
struct Zmm32 {
  using T = float;
  using V = __m512;
  static constexpr int64_t kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const T* p) { return _mm512_load_ps(p); }
  static V loadu(const T* p) { return _mm512_loadu_ps(p); }
  static void storeu(T* p, V v) { _mm512_storeu_ps(p, v); }
  static V broadcast(const T* p) { return _mm512_set1_ps(*p); }
  static V set1(T x) { return _mm512_set1_ps(x); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static __mmask16 mask(int64_t lanes) { return static_cast<__mmask16>((1u << lanes) - 1); }
  static V load_part(const T* p, int64_t lanes) { return _mm512_maskz_loadu_ps(mask(lanes), p); }
  static void store_part(T* p, V v, int64_t lanes) { _mm512_mask_storeu_ps(p, mask(lanes), v); }
};
struct Zmm64 {
  using T = double;
  using V = __m512d;
  static constexpr int64_t kLanes = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const T* p) { return _mm512_load_pd(p); }
  static V loadu(const T* p) { return _mm512_loadu_pd(p); }
  static void storeu(T* p, V v) { _mm512_storeu_pd(p, v); }
  static V broadcast(const T* p) { return _mm512_set1_pd(*p); }
  static V set1(T x) { return _mm512_set1_pd(x); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static __mmask8 mask(int64_t lanes) { return static_cast<__mmask8>((1u << lanes) - 1); }
  static V load_part(const T* p, int64_t lanes) { return _mm512_maskz_loadu_pd(mask(lanes), p); }
  static void store_part(T* p, V v, int64_t lanes) { _mm512_mask_storeu_pd(p, mask(lanes), v); }
};

}  // namespace

void Kernel<GemmIsa::avx512, float>::run(int64_t kc, const T* a, const T* b, T alpha, T beta, const T* c_in,
                                         int64_t ld_in, T* C, int64_t ldc, int64_t m, int64_t n) {
  micro_kernel_body<Zmm32, kMR, kNR>(kc, a, b, alpha, beta, c_in, ld_in, C, ldc, m, n);
}
void Kernel<GemmIsa::avx512, double>::run(int64_t kc, const T* a, const T* b, T alpha, T beta, const T* c_in,
                                          int64_t ld_in, T* C, int64_t ldc, int64_t m, int64_t n) {
  micro_kernel_body<Zmm64, kMR, kNR>(kc, a, b, alpha, beta, c_in, ld_in, C, ldc, m, n);
}

}  // namespace gemm_detail
}  // namespace flowjet
