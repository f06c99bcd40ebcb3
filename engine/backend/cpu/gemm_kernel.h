// Internal pieces of the CPU GEMM (used by gemm.cpp only): per ISA, the register tile and cache
// blocks of its micro-kernel; packing of op(A) and op(B) into the micro-kernel's layout.
// Loop nest and packing after Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication" (ACM TOMS 34, 2008), as organised in BLIS.
#pragma once

#include <cstdint>

#include "engine/backend/cpu/cpu_isa.h"

namespace flowjet {
namespace gemm_detail {

/// One ISA's micro-kernel for element type T: a kMR x kNR tile of C per call, and the cache
/// blocks around it (a kMC x kKC block of packed A stays in L2 while kKC x kNR slivers of packed
/// B stream through L1). run() is defined in the ISA's own source file, compiled for that ISA:
///
/// C (m x n, m <= kMR, n <= kNR, row stride ldc) = alpha * a * b + beta * C_in, where a and b are
/// a packed A sliver and a packed B sliver of depth kc, and C_in (row stride ld_in) is C itself
/// or, for a bias, one row read for every row (ld_in == 0). Rounded as fma(beta, C_in, alpha * ab)
/// on every element; alpha == 1 skips the product (exact) and beta == 0 never reads C_in.
#define FLOWJET_GEMM_KERNEL_RUN                                                                                   \
  static void run(int64_t kc, const T* a, const T* b, T alpha, T beta, const T* c_in, int64_t ld_in, T* C, \
                  int64_t ldc, int64_t m, int64_t n)
template <GemmIsa isa, class Elem>
struct Kernel;

// Portable C++ (gemm_kernel_generic.cpp): 4 x 8 tile.
template <class Elem>
struct Kernel<GemmIsa::generic, Elem> {
  using T = Elem;
  static constexpr int64_t kMR = 4, kNR = 8, kMC = 128, kKC = 256;
  FLOWJET_GEMM_KERNEL_RUN;
};
// AVX2 + FMA (gemm_kernel_avx2.cpp): 6 rows x 2 ymm vectors in 12 registers, as BLIS's Haswell
// kernels; blocks sized for 32 KiB L1d / 512 KiB L2 (Zen, Haswell-class cores).
template <>
struct Kernel<GemmIsa::avx2, float> {
  using T = float;
  static constexpr int64_t kMR = 6, kNR = 16, kMC = 144, kKC = 256;
  FLOWJET_GEMM_KERNEL_RUN;
};
template <>
struct Kernel<GemmIsa::avx2, double> {
  using T = double;
  static constexpr int64_t kMR = 6, kNR = 8, kMC = 72, kKC = 256;
  FLOWJET_GEMM_KERNEL_RUN;
};
// AVX-512F (gemm_kernel_avx512.cpp): 16 rows x 1 zmm vector. Measured on a Xeon with 48 KiB L1d
// and 2 MiB L2 against 14 x 32, 12 x 32 and 8 x 48 tiles, it is as fast on large products and
// faster on the model's narrow ones (N = 47, 221, 495: less of a 16-wide tile is padding).
template <>
struct Kernel<GemmIsa::avx512, float> {
  using T = float;
  static constexpr int64_t kMR = 16, kNR = 16, kMC = 192, kKC = 256;
  FLOWJET_GEMM_KERNEL_RUN;
};
template <>
struct Kernel<GemmIsa::avx512, double> {
  using T = double;
  static constexpr int64_t kMR = 16, kNR = 8, kMC = 96, kKC = 256;
  FLOWJET_GEMM_KERNEL_RUN;
};
#undef FLOWJET_GEMM_KERNEL_RUN

/// Packs rows [i0, i0 + m) and columns [k0, k0 + kc) of op(A) (op(A) is M x K; A is stored
/// K x M when trans_a) into ceil(m / kMR) slivers; sliver s holds kc columns of kMR values
/// (rows s*kMR ...), rows past m are zero.
template <class Kr>
void pack_a(bool trans_a, const typename Kr::T* A, int64_t lda, int64_t i0, int64_t m, int64_t k0, int64_t kc,
            typename Kr::T* dst);

/// Packs rows [k0, k0 + kc) and columns [j0, j0 + n), n <= kNR, of op(B) (op(B) is K x N; B is
/// stored N x K when trans_b) into one sliver: kc rows of kNR values, columns past n are zero.
template <class Kr>
void pack_b_sliver(bool trans_b, const typename Kr::T* B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0,
                   int64_t n, typename Kr::T* dst);

}  // namespace gemm_detail
}  // namespace flowjet
