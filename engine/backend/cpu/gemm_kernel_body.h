// The micro-kernel, written once over a SIMD type and included by each ISA's kernel source
// (gemm_kernel_avx512.cpp, gemm_kernel_avx2.cpp, gemm_kernel_generic.cpp), which is compiled for
// that ISA. An MR x NR tile of C stays in registers, updated by one rank-1 product per k
// from broadcast A values and FMA (outer-product form, Goto & van de Geijn 2008).
//
// Everything here is in an anonymous namespace on purpose: each ISA's copy must stay private to
// its object file, or the linker could pick an AVX-512 copy for a caller on an AVX2-only CPU.
// For the same reason this code calls only intrinsics and compiler builtins, never inline
// library functions.
//
// A SIMD type S provides: T (element), V (vector), kLanes, zero(), load() (aligned), loadu(),
// storeu(), broadcast(const T*), set1(T), mul(), fma(a, b, c) = a * b + c rounded once, and
// load_part()/store_part() touching only the first `lanes` elements (0 < lanes < kLanes).
#pragma once

#include <cstdint>

namespace flowjet {
namespace gemm_detail {
namespace {

template <class S, int64_t MR, int64_t NR>
void micro_kernel_body(int64_t kc, const typename S::T* a, const typename S::T* b, typename S::T alpha,
                       typename S::T beta, const typename S::T* c_in, int64_t ld_in, typename S::T* C, int64_t ldc,
                       int64_t m, int64_t n) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int64_t L = S::kLanes, NV = NR / L;
  static_assert(NR % L == 0, "a row of the tile is a whole number of vectors");

  // Start fetching the C tile now so its cache misses overlap the loop below.
  for (int64_t r = 0; r < m; ++r) {
    __builtin_prefetch(C + r * ldc, 1, 3);
    __builtin_prefetch(C + r * ldc + n - 1, 1, 3);
  }
  V acc[MR][NV];
#pragma GCC unroll 16
  for (int64_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int64_t h = 0; h < NV; ++h) acc[r][h] = S::zero();
  // acc += a[:, k] * b[k, :] for each k (a rank-1 update of the tile).
#pragma GCC unroll 2
  for (int64_t k = 0; k < kc; ++k, a += MR, b += NV * L) {
    V bk[NV];
#pragma GCC unroll 4
    for (int64_t h = 0; h < NV; ++h) bk[h] = S::load(b + h * L);
#pragma GCC unroll 16
    for (int64_t r = 0; r < MR; ++r) {
      const V ar = S::broadcast(a + r);
#pragma GCC unroll 4
      for (int64_t h = 0; h < NV; ++h) acc[r][h] = S::fma(ar, bk[h], acc[r][h]);
    }
  }

  // C = alpha * acc + beta * C_in, rounded the same way in full and partial vectors so that a
  // value does not depend on where its tile's edges fall.
  const V va = S::set1(alpha), vb = S::set1(beta);
#pragma GCC unroll 16
  for (int64_t r = 0; r < MR; ++r) {
    if (r >= m) break;
    const T* src = c_in + r * ld_in;
    T* dst = C + r * ldc;
#pragma GCC unroll 4
    for (int64_t h = 0; h < NV; ++h) {
      const int64_t lanes = n - h * L;
      if (lanes <= 0) break;
      V x = alpha == T(1) ? acc[r][h] : S::mul(va, acc[r][h]);  // 1 * acc is exact: same bits
      if (lanes >= L) {
        if (beta != T(0)) x = S::fma(vb, S::loadu(src + h * L), x);
        S::storeu(dst + h * L, x);
      } else {
        if (beta != T(0)) x = S::fma(vb, S::load_part(src + h * L, lanes), x);
        S::store_part(dst + h * L, x, lanes);
      }
    }
  }
}

}  // namespace
}  // namespace gemm_detail
}  // namespace flowjet
