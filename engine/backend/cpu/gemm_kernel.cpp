// The GEMM micro-kernel: a kMR x kNR tile of C kept in 12 AVX registers (6 rows x 2 vectors),
// updated by one rank-1 product per k with broadcast A values and FMA (outer-product form,
// Goto & van de Geijn 2008; BLIS's Haswell kernels use the same 6 x 16 / 6 x 8 shape).
#include <immintrin.h>

#include <cmath>

#include "engine/backend/cpu/gemm_kernel.h"

namespace flowjet {
namespace gemm_detail {
namespace {

// One 256-bit vector type per element type, with the handful of operations the kernel needs.
template <class T>
struct Simd;
template <>
struct Simd<float> {
  using V = __m256;
  static constexpr int64_t kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_load_ps(p); }
  static V loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};
template <>
struct Simd<double> {
  using V = __m256d;
  static constexpr int64_t kLanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const double* p) { return _mm256_load_pd(p); }
  static V loadu(const double* p) { return _mm256_loadu_pd(p); }
  static void storeu(double* p, V v) { _mm256_storeu_pd(p, v); }
  static V broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
};

}  // namespace

template <class T>
void micro_kernel(int64_t kc, const T* a, const T* b, T alpha, T beta, T* C, int64_t ldc, int64_t m, int64_t n) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr int64_t MR = Blocking<T>::kMR, L = S::kLanes;
  static_assert(Blocking<T>::kNR == 2 * L, "the kernel holds two vectors per row of the tile");

  // Start fetching the C tile now so its cache misses overlap the loop below.
  for (int64_t r = 0; r < m; ++r) {
    __builtin_prefetch(C + r * ldc, 1, 3);
    __builtin_prefetch(C + r * ldc + n - 1, 1, 3);
  }
  V acc[MR][2];
#pragma GCC unroll 6
  for (int64_t r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = S::zero();
  // acc += a[:, k] * b[k, :] for each k (a rank-1 update of the tile).
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k, a += MR, b += 2 * L) {
    const V b0 = S::load(b), b1 = S::load(b + L);
#pragma GCC unroll 6
    for (int64_t r = 0; r < MR; ++r) {
      const V ar = S::broadcast(a + r);
      acc[r][0] = S::fma(ar, b0, acc[r][0]);
      acc[r][1] = S::fma(ar, b1, acc[r][1]);
    }
  }

  // C = alpha * acc + beta * C, rounded as fma(beta, C, alpha * acc) on both paths below so a
  // value does not depend on whether its tile is full.
  if (m == MR && n == 2 * L) {
    const V va = S::broadcast(&alpha), vb = S::broadcast(&beta);
#pragma GCC unroll 6
    for (int64_t r = 0; r < MR; ++r) {
      T* c = C + r * ldc;
#pragma GCC unroll 2
      for (int64_t h = 0; h < 2; ++h) {
        V x = alpha == T(1) ? acc[r][h] : S::mul(va, acc[r][h]);  // 1 * acc is exact: same bits
        if (beta != T(0)) x = S::fma(vb, S::loadu(c + h * L), x);
        S::storeu(c + h * L, x);
      }
    }
    return;
  }
  alignas(32) T tile[MR][2 * L];
#pragma GCC unroll 6
  for (int64_t r = 0; r < MR; ++r) {
    S::storeu(tile[r], acc[r][0]);
    S::storeu(tile[r] + L, acc[r][1]);
  }
  for (int64_t r = 0; r < m; ++r) {
    T* c = C + r * ldc;
    for (int64_t j = 0; j < n; ++j) {
      const T x = alpha * tile[r][j];
      c[j] = beta == T(0) ? x : std::fma(beta, c[j], x);
    }
  }
}

template void micro_kernel<float>(int64_t, const float*, const float*, float, float, float*, int64_t, int64_t,
                                  int64_t);
template void micro_kernel<double>(int64_t, const double*, const double*, double, double, double*, int64_t, int64_t,
                                   int64_t);

}  // namespace gemm_detail
}  // namespace flowjet
