// Internal pieces of the CPU GEMM (used by gemm.cpp only): block sizes, packing of op(A) and
// op(B) into the micro-kernel's layout, and the register-blocked AVX2/FMA micro-kernel.
// Loop nest and packing after Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication" (ACM TOMS 34, 2008), as organised in BLIS.
#pragma once

#include <cstdint>

namespace flowjet {
namespace gemm_detail {

/// Register tile (kMR x kNR of C per micro-kernel call) and cache blocks: a kMC x kKC block of
/// packed A stays in L2, a kKC x kNR sliver of packed B in L1 (Zen/Haswell-class cores).
template <class T>
struct Blocking;
template <>
struct Blocking<float> {
  static constexpr int64_t kMR = 6, kNR = 16, kMC = 144, kKC = 256;
};
template <>
struct Blocking<double> {
  static constexpr int64_t kMR = 6, kNR = 8, kMC = 72, kKC = 256;
};

/// Packs rows [i0, i0 + m) and columns [k0, k0 + kc) of op(A) (op(A) is M x K; A is stored
/// K x M when trans_a) into ceil(m / kMR) slivers; sliver s holds kc columns of kMR values
/// (rows s*kMR ...), rows past m are zero.
template <class T>
void pack_a(bool trans_a, const T* A, int64_t lda, int64_t i0, int64_t m, int64_t k0, int64_t kc, T* dst);

/// Packs rows [k0, k0 + kc) and columns [j0, j0 + n), n <= kNR, of op(B) (op(B) is K x N; B is
/// stored N x K when trans_b) into one sliver: kc rows of kNR values, columns past n are zero.
template <class T>
void pack_b_sliver(bool trans_b, const T* B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t n, T* dst);

/// C (m x n, m <= kMR, n <= kNR, row stride ldc) = alpha * a * b + beta * C, where a and b are a
/// packed A sliver and a packed B sliver of depth kc. beta == 0 never reads C.
template <class T>
void micro_kernel(int64_t kc, const T* a, const T* b, T alpha, T beta, T* C, int64_t ldc, int64_t m, int64_t n);

}  // namespace gemm_detail
}  // namespace flowjet
