// The engine's matrix product on the CPU, row-major: C = alpha * op(A) * op(B) + beta * C,
// with op(X) = X or X^T. Shared by linear, matmul and any op that needs a product.
// Packed, cache-blocked implementation (gemm.cpp, gemm_pack.cpp) with an AVX-512, AVX2 or
// portable micro-kernel chosen at run time (cpu_isa.h, gemm_kernel_*.cpp).
#pragma once

#include <cstdint>

#include "engine/backend/cpu/cpu_isa.h"

namespace flowjet {

/// M x N result from op(A) (M x K) and op(B) (K x N). lda/ldb/ldc are the row strides of the
/// matrices as stored (A is M x K, or K x M when trans_a). beta == 0 overwrites C (NaNs in C ignored).
/// Runs on the thread pool (parallel_for); the result is bitwise the same for any thread count
/// (for a given ISA: kernels of different widths may round differently).
/// Any M, N, K >= 0; nothing is checked (callers check shapes).
template <class T>
void gemm_cpu(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
              const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

/// C = op(A) op(B) + bias, bias[j] added to column j of every row (a linear layer's forward pass).
/// The bias enters where the product is stored, so C is written once and never read; the result
/// is bitwise that of filling every row of C with bias and calling gemm_cpu with alpha = beta = 1.
template <class T>
void gemm_bias_cpu(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
                   int64_t ldb, const T* bias, T* C, int64_t ldc);

}  // namespace flowjet
