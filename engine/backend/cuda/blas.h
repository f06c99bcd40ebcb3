// Row-major GEMM and column sums through cuBLAS on flowjet's stream (f32 and f64). cuBLAS is
// column-major: a row-major C = op(A) op(B) is computed as the column-major C^T = op(B)^T op(A)^T.
#pragma once

#include <cstdint>

namespace flowjet::cuda {

/// C[M, N] = alpha * op(A) op(B) + beta * C, all row-major device pointers; op(A) is [M, K]
/// (A stored [K, M] when trans_a), op(B) is [K, N] (B stored [N, K] when trans_b).
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, const T* B, T beta, T* C);

/// sums[j] += sum over rows of x[rows, cols] (row-major), computed as a GEMV with a cached ones vector.
template <class T>
void add_column_sums(const T* x, int64_t rows, int64_t cols, T* sums);

}  // namespace flowjet::cuda
