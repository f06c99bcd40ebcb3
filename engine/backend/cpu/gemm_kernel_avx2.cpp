// The AVX2 + FMA micro-kernel (see gemm_kernel_body.h).
#include <immintrin.h>

#include "engine/backend/cpu/gemm_kernel.h"
#include "engine/backend/cpu/gemm_kernel_body.h"

namespace flowjet {
namespace gemm_detail {
namespace {

// Partial vectors use maskload/maskstore: lanes whose mask is clear are neither read nor written.
struct Ymm32 {
  using T = float;
  using V = __m256;
  static constexpr int64_t kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const T* p) { return _mm256_load_ps(p); }
  static V loadu(const T* p) { return _mm256_loadu_ps(p); }
  static void storeu(T* p, V v) { _mm256_storeu_ps(p, v); }
  static V broadcast(const T* p) { return _mm256_broadcast_ss(p); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static __m256i mask(int64_t lanes) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(lanes)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V load_part(const T* p, int64_t lanes) { return _mm256_maskload_ps(p, mask(lanes)); }
  static void store_part(T* p, V v, int64_t lanes) { _mm256_maskstore_ps(p, mask(lanes), v); }
};
struct Ymm64 {
  using T = double;
  using V = __m256d;
  static constexpr int64_t kLanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const T* p) { return _mm256_load_pd(p); }
  static V loadu(const T* p) { return _mm256_loadu_pd(p); }
  static void storeu(T* p, V v) { _mm256_storeu_pd(p, v); }
  static V broadcast(const T* p) { return _mm256_broadcast_sd(p); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static __m256i mask(int64_t lanes) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(lanes), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static V load_part(const T* p, int64_t lanes) { return _mm256_maskload_pd(p, mask(lanes)); }
  static void store_part(T* p, V v, int64_t lanes) { _mm256_maskstore_pd(p, mask(lanes), v); }
};

}  // namespace

void Kernel<GemmIsa::avx2, float>::run(int64_t kc, const T* a, const T* b, T alpha, T beta, const T* c_in,
                                       int64_t ld_in, T* C, int64_t ldc, int64_t m, int64_t n) {
  micro_kernel_body<Ymm32, kMR, kNR>(kc, a, b, alpha, beta, c_in, ld_in, C, ldc, m, n);
}
void Kernel<GemmIsa::avx2, double>::run(int64_t kc, const T* a, const T* b, T alpha, T beta, const T* c_in,
                                        int64_t ld_in, T* C, int64_t ldc, int64_t m, int64_t n) {
  micro_kernel_body<Ymm64, kMR, kNR>(kc, a, b, alpha, beta, c_in, ld_in, C, ldc, m, n);
}

}  // namespace gemm_detail
}  // namespace flowjet
