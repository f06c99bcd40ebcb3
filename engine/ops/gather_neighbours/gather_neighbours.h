// Features of each point's neighbours, for graph convolutions such as EdgeConv (metric-definitions.md §9.2):
//   y[g, i, m, c] = x[g, index[g, i, m], c]          x [groups, points, channels], index [groups, points, k]
//   dL/dx[g, j, c] = sum over (i, m) with index[g, i, m] = j of dL/dy[g, i, m, c]
// The indices (e.g. from knn) are integers and get no gradient.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// x [groups, points, channels], index row-major [groups, points, k] of point numbers within the same
/// group -> y [groups, points, k, channels]. A point may appear several times (its gradients add up).
/// Throws ShapeError for a rank other than 3, k < 0, an index list of the wrong length or an index
/// outside [0, points).
Tensor gather_neighbours(const Tensor& x, const std::vector<int64_t>& index, int64_t k);

/// CPU kernels (gather_neighbours_cpu.cpp), parallel over groups (so scattered gradients never race).
/// Forward writes y; backward ADDS into grad_x.
template <class T>
void gather_neighbours_forward_cpu(const T* x, const int64_t* index, T* y, int64_t groups, int64_t points, int64_t k,
                                   int64_t channels);
template <class T>
void gather_neighbours_backward_cpu(const T* grad_y, const int64_t* index, T* grad_x, int64_t groups, int64_t points,
                                    int64_t k, int64_t channels);

/// CUDA launchers (gather_neighbours_cuda.cu), same contract; x, y, grad_y and grad_x are device pointers,
/// index stays on the host (uploaded per call). The backward adds in the CPU's order, without atomics.
template <class T>
void gather_neighbours_forward_cuda(const T* x, const int64_t* index, T* y, int64_t groups, int64_t points, int64_t k,
                                    int64_t channels);
template <class T>
void gather_neighbours_backward_cuda(const T* grad_y, const int64_t* index, T* grad_x, int64_t groups, int64_t points,
                                     int64_t k, int64_t channels);

}  // namespace flowjet
