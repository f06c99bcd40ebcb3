// Packing for the CPU GEMM: copies blocks of op(A) and op(B) into the contiguous, zero-padded
// sliver layout that the micro-kernel streams through (see gemm_kernel.h).
#include <algorithm>

#include "engine/backend/cpu/gemm_kernel.h"

namespace flowjet {
namespace gemm_detail {

template <class T>
void pack_a(bool trans_a, const T* A, int64_t lda, int64_t i0, int64_t m, int64_t k0, int64_t kc, T* dst) {
  constexpr int64_t MR = Blocking<T>::kMR;
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
    // op(A)[i][k] = A[i * lda + k]: each row is read contiguously and scattered with stride MR.
    for (int64_t i = 0; i < m; ++i) {
      const T* src = A + (i0 + i) * lda + k0;
      T* out = dst + (i / MR) * kc * MR + i % MR;
      for (int64_t k = 0; k < kc; ++k) out[k * MR] = src[k];
    }
  }
}

template <class T>
void pack_b_sliver(bool trans_b, const T* B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t n, T* dst) {
  constexpr int64_t NR = Blocking<T>::kNR;
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

template void pack_a<float>(bool, const float*, int64_t, int64_t, int64_t, int64_t, int64_t, float*);
template void pack_a<double>(bool, const double*, int64_t, int64_t, int64_t, int64_t, int64_t, double*);
template void pack_b_sliver<float>(bool, const float*, int64_t, int64_t, int64_t, int64_t, int64_t, float*);
template void pack_b_sliver<double>(bool, const double*, int64_t, int64_t, int64_t, int64_t, int64_t, double*);

}  // namespace gemm_detail
}  // namespace flowjet
