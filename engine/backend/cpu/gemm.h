// The engine's matrix product on the CPU, row-major: C = alpha * op(A) * op(B) + beta * C,
// with op(X) = X or X^T. Shared by linear, matmul and any op that needs a product.
// Packed, cache-blocked AVX2/FMA implementation (gemm.cpp, gemm_pack.cpp, gemm_kernel.cpp).
#pragma once

#include <cstdint>

namespace flowjet {

/// M x N result from op(A) (M x K) and op(B) (K x N). lda/ldb/ldc are the row strides of the
/// matrices as stored (A is M x K, or K x M when trans_a). beta == 0 overwrites C (NaNs in C ignored).
/// Runs on the thread pool (parallel_for); the result is bitwise the same for any thread count.
/// Any M, N, K >= 0; nothing is checked (callers check shapes).
template <class T>
void gemm_cpu(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
              const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

}  // namespace flowjet
