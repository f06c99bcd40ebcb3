// Packing for the CPU GEMM: copies blocks of op(A) and op(B) into the contiguous, zero-padded
// sliver layout that the micro-kernel streams through (see gemm_kernel.h).
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "engine/backend/cpu/gemm_kernel.h"

namespace flowjet {
namespace gemm_detail {
namespace {

// Transposes 8 rows of 8 floats (r[i] = row i) in place into 8 columns (r[j] = column j).
void transpose8x8(__m256 r[8]) {
  // Pairs of rows interleaved, per 128-bit lane: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] ...
  __m256 t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  // Four rows per column: u0 = r0[0] r1[0] r2[0] r3[0] | r0[4] r1[4] r2[4] r3[4]
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  // Rows 0-3 and 4-7 joined: column j from the low lanes, column j + 4 from the high ones.
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm256_permute2f128_ps(u[j], u[j + 4], 0x20);
    r[j + 4] = _mm256_permute2f128_ps(u[j], u[j + 4], 0x31);
  }
}

// One full MR-row f32 sliver of a row-major A, 8 columns per step: each group of up to 8 rows is
// transposed (missing rows zero) into 8 columns of the sliver. A group of fewer than 8 rows
// stores 8 values anyway, spilling into the start of the next column, which the next store (or
// the caller's remainder loop) overwrites; the last store per step is masked to stay in bounds.
// Returns how many columns were packed.
template <int64_t MR>
int64_t pack_a_sliver_f32(const float* src, int64_t lda, int64_t kc, float* dst) {
  constexpr int64_t kGroups = (MR + 7) / 8;
  const __m256i last_rows =
      _mm256_cmpgt_epi32(_mm256_set1_epi32(MR - 8 * (kGroups - 1)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  int64_t k = 0;
  for (; k + 8 <= kc; k += 8) {
    // The MR rows are read side by side, more streams than the hardware prefetcher follows: fetch
    // each row's next cache line one line ahead, once per line (every second step). Measured on
    // 10000x221 by 221x221: packing fell from 20% to 14% of the product's time.
    if (k % 16 == 0)
      for (int64_t i = 0; i < MR; ++i) _mm_prefetch(reinterpret_cast<const char*>(src + i * lda + k + 32), _MM_HINT_T0);
    __m256 cols[kGroups][8];
    for (int64_t g = 0; g < kGroups; ++g) {
      for (int64_t i = 0; i < 8; ++i)
        cols[g][i] = 8 * g + i < MR ? _mm256_loadu_ps(src + (8 * g + i) * lda + k) : _mm256_setzero_ps();
      transpose8x8(cols[g]);
    }
    for (int64_t j = 0; j < 8; ++j) {
      float* out = dst + (k + j) * MR;
      for (int64_t g = 0; g < kGroups; ++g) {
        if (g + 1 == kGroups && j == 7)
          _mm256_maskstore_ps(out + 8 * g, last_rows, cols[g][j]);
        else
          _mm256_storeu_ps(out + 8 * g, cols[g][j]);
      }
    }
  }
  return k;
}

// Copies N values. memcpy of a constant size compiles to a few vector moves; the equivalent
// element loop stayed scalar (-O2 does not vectorise a loop that needs an aliasing check), and
// packing then took twice the time it takes as vector moves.
template <int64_t N, class T>
void copy_fixed(const T* src, T* dst) {
  std::memcpy(dst, src, N * sizeof(T));
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
    // front to back, and deal it out to the slivers (a fixed-size copy per full sliver).
    for (int64_t k = 0; k < kc; ++k) {
      const T* src = A + (k0 + k) * lda + i0;
      for (int64_t s = 0; s + 1 < slivers; ++s) copy_fixed<MR>(src + s * MR, dst + (s * kc + k) * MR);
      for (int64_t r = 0; r < tail; ++r) dst[((slivers - 1) * kc + k) * MR + r] = src[(slivers - 1) * MR + r];
    }
  } else {
    // op(A)[i][k] = A[i * lda + k]: rows are read contiguously and scattered with stride MR.
    for (int64_t s = 0; s < slivers; ++s) {
      const T* src = A + (i0 + s * MR) * lda + k0;
      T* out = dst + s * kc * MR;
      const int64_t rows = s + 1 < slivers ? MR : tail;
      int64_t k_done = 0;
      if constexpr (std::is_same<T, float>::value) {
        if (rows == MR) k_done = pack_a_sliver_f32<MR>(src, lda, kc, out);
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
  } else if (n == NR) {
    for (int64_t k = 0; k < kc; ++k) copy_fixed<NR>(B + (k0 + k) * ldb + j0, dst + k * NR);
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
