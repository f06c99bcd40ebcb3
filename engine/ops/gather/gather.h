// Column gather and scatter, used by coupling layers to split x [N, D] into identity and
// transform columns and to reassemble them:
//   gather_columns:  y[n, k] = x[n, index[k]]                  dL/dx[n, index[k]] += g[n, k]
//   scatter_columns: y[n, indices[p][k]] = parts[p][n, k]      dL/dparts[p][n, k] = g[n, indices[p][k]]
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// x [N, D] -> [N, index.size()]. Repeated indices are allowed (their gradients add up).
/// Throws ShapeError when x is not 2-d or an index is outside [0, D).
Tensor gather_columns(const Tensor& x, const std::vector<int64_t>& index);
/// Builds [N, D] from parts[p] [N, indices[p].size()] placed at columns indices[p]. Every column
/// 0..D-1 must be covered exactly once. Throws ShapeError naming the part and the column.
Tensor scatter_columns(const std::vector<Tensor>& parts, const std::vector<std::vector<int64_t>>& indices, int64_t D);

/// CPU kernels (gather_cpu.cpp). gather: dst[n, k] (= or +=) src[n, index[k]], src [N, D],
/// dst [N, K]. scatter: dst[n, index[k]] (= or +=) src[n, k], src [N, K], dst [N, D].
template <class T>
void gather_columns_cpu(const T* src, int64_t D, const int64_t* index, int64_t K, T* dst, int64_t N,
                        bool accumulate);
template <class T>
void scatter_columns_cpu(const T* src, int64_t K, const int64_t* index, T* dst, int64_t D, int64_t N,
                         bool accumulate);

/// CUDA launchers (gather_cuda.cu), same contract; src and dst are device pointers, index stays on the host.
template <class T>
void gather_columns_cuda(const T* src, int64_t D, const int64_t* index, int64_t K, T* dst, int64_t N,
                         bool accumulate);
template <class T>
void scatter_columns_cuda(const T* src, int64_t K, const int64_t* index, T* dst, int64_t D, int64_t N,
                          bool accumulate);

}  // namespace flowjet
