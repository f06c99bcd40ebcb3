// Packing for the CPU GEMM: copies blocks of op(A) and op(B) into the contiguous, zero-padded
// sliver layout that the micro-kernel streams through (see gemm_kernel.h).
#include <immintrin.h>

#include <algorithm>
#include <type_traits>

#include "engine/backend/cpu/gemm_kernel.h"

namespace flowjet {
namespace gemm_detail {
namespace {

// One full 6-row f32 sliver of a row-major A, 8 columns per step: an 8 x 8 transpose (rows 6 and
// 7 zero) turns the 6 row segments into 8 columns of 6 values, which are contiguous in the
// sliver. Each full-width store spills 2 lanes into the next column, which the next store (or
// the caller's remainder loop) overwrites; the last one per step is masked to stay in bounds.
// Returns how many columns were packed.
int64_t pack_a_sliver_f32(const float* src, int64_t lda, int64_t kc, float* dst) {
  const __m256i first_six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
  const __m256 zero = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    const __m256 r0 = _mm256_loadu_ps(src + k), r1 = _mm256_loadu_ps(src + lda + k);
    const __m256 r2 = _mm256_loadu_ps(src + 2 * lda + k), r3 = _mm256_loadu_ps(src + 3 * lda + k);
    const __m256 r4 = _mm256_loadu_ps(src + 4 * lda + k), r5 = _mm256_loadu_ps(src + 5 * lda + k);
    // Pairs of rows interleaved, per 128-bit lane: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] ...
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    // Rows 0-3 and rows 4-5 of columns c | c + 4: u0 = r0[0] r1[0] r2[0] r3[0] | r0[4] ... r3[4]
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 v0 = _mm256_shuffle_ps(t4, zero, 0x44), v1 = _mm256_shuffle_ps(t4, zero, 0xEE);
    const __m256 v2 = _mm256_shuffle_ps(t5, zero, 0x44), v3 = _mm256_shuffle_ps(t5, zero, 0xEE);
    float* out = dst + k * 6;
    _mm256_storeu_ps(out, _mm256_permute2f128_ps(u0, v0, 0x20));
    _mm256_storeu_ps(out + 6, _mm256_permute2f128_ps(u1, v1, 0x20));
    _mm256_storeu_ps(out + 12, _mm256_permute2f128_ps(u2, v2, 0x20));
    _mm256_storeu_ps(out + 18, _mm256_permute2f128_ps(u3, v3, 0x20));
    _mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(u0, v0, 0x31));
    _mm256_storeu_ps(out + 30, _mm256_permute2f128_ps(u1, v1, 0x31));
    _mm256_storeu_ps(out + 36, _mm256_permute2f128_ps(u2, v2, 0x31));
    _mm256_maskstore_ps(out + 42, first_six, _mm256_permute2f128_ps(u3, v3, 0x31));
  }
  return k;
}

}  // namespace

template <class Kr>
void pack_a(bool trans_a, const typename Kr::T* A, int64_t lda, int64_t i0, int64_t m, int64_t k0, int64_t kc,
            typename Kr::T* dst) {
  using T = typename Kr::T;
  constexpr int64_t MR = Kr::kMR;
  const int64_t slivers = (m + MR - 1) / MR, tail = m - (slivers - 1) * MR;
  if (tail < MR) std::fill(dst + (slivers - 1) * kc * MR, dst + slivers * kc * MR, T(0));
  if (trans_a) {
    // op(A)[i][k] = A[k * lda + i]: stored row k holds all m values of column k; read it once,
    // front to back, and deal it out to the slivers.
    for (int64_t k = 0; k < kc; ++k) {
      const T* src = A + (k0 + k) * lda + i0;
      for (int64_t s = 0; s < slivers; ++s) {
        const int64_t rows = s + 1 < slivers ? MR : tail;
        for (int64_t r = 0; r < rows; ++r) dst[(s * kc + k) * MR + r] = src[s * MR + r];
      }
    }
  } else {
    // op(A)[i][k] = A[i * lda + k]: rows are read contiguously and scattered with stride MR.
    for (int64_t s = 0; s < slivers; ++s) {
      const T* src = A + (i0 + s * MR) * lda + k0;
      T* out = dst + s * kc * MR;
      const int64_t rows = s + 1 < slivers ? MR : tail;
      int64_t k_done = 0;
      if constexpr (std::is_same<T, float>::value && MR == 6) {
        if (rows == MR) k_done = pack_a_sliver_f32(src, lda, kc, out);
      }
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = k_done; k < kc; ++k) out[k * MR + r] = src[r * lda + k];
    }
  }
}

template <class Kr>
void pack_b_sliver(bool trans_b, const typename Kr::T* B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0,
                   int64_t n, typename Kr::T* dst) {
  using T = typename Kr::T;
  constexpr int64_t NR = Kr::kNR;
  if (n < NR) std::fill(dst, dst + kc * NR, T(0));
  if (trans_b) {
    // op(B)[k][j] = B[j * ldb + k]: each stored row j becomes column j of the sliver.
    for (int64_t j = 0; j < n; ++j) {
      const T* src = B + (j0 + j) * ldb + k0;
      for (int64_t k = 0; k < kc; ++k) dst[k * NR + j] = src[k];
    }
  } else {
    for (int64_t k = 0; k < kc; ++k) std::copy(B + (k0 + k) * ldb + j0, B + (k0 + k) * ldb + j0 + n, dst + k * NR);
  }
}

// The packings of every ISA's kernel, f32 and f64.
#define FLOWJET_INSTANTIATE_PACKING(isa, T)                                                                  \
  template void pack_a<Kernel<isa, T>>(bool, const T*, int64_t, int64_t, int64_t, int64_t, int64_t, T*); \
  template void pack_b_sliver<Kernel<isa, T>>(bool, const T*, int64_t, int64_t, int64_t, int64_t, int64_t, T*);
FLOWJET_INSTANTIATE_PACKING(GemmIsa::generic, float)
FLOWJET_INSTANTIATE_PACKING(GemmIsa::generic, double)
FLOWJET_INSTANTIATE_PACKING(GemmIsa::avx2, float)
FLOWJET_INSTANTIATE_PACKING(GemmIsa::avx2, double)
FLOWJET_INSTANTIATE_PACKING(GemmIsa::avx512, float)
FLOWJET_INSTANTIATE_PACKING(GemmIsa::avx512, double)
#undef FLOWJET_INSTANTIATE_PACKING

}  // namespace gemm_detail
}  // namespace flowjet
