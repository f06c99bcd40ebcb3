// k nearest neighbours within groups of points (the kNN graph of ParticleNet's EdgeConv blocks,
// torch_cluster.knn_graph with loop=False; metric-definitions.md §9.2):
//   d(i, j) = sum_f (x[g, i, f] - x[g, j, f])^2   (squared Euclidean distance, in the tensor's dtype);
//   each term is added with one rounding (fma, knn_distance.h), so the CPU and CUDA kernels agree bit for bit
//   index[g, i, :] = the k points j != i of group g with the smallest d(i, j), nearest first;
//   equal distances go to the lower point number.
// The result is a list of integer indices, so there is no backward: no gradient flows through the
// choice of neighbours (as in the reference, where knn_graph returns integer edge indices).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// x [groups, points, features] -> the point numbers (0 .. points-1) of the k nearest other points
/// of each point, row-major [groups, points, k]. A NaN distance counts as +infinity. Never recorded.
/// Throws ShapeError for a rank other than 3 or k outside [0, points - 1]. On a CUDA tensor the indices
/// are computed on the device and copied back (one synchronisation).
std::vector<int64_t> knn(const Tensor& x, int64_t k);

/// CPU kernel (knn_cpu.cpp): x [groups, points, features] -> index [groups, points, k]. Parallel over groups.
template <class T>
void knn_forward_cpu(const T* x, int64_t* index, int64_t groups, int64_t points, int64_t features, int64_t k);
/// CUDA launcher (knn_cuda.cu), same contract and same indices bit for bit; x is a device pointer, index a
/// host buffer (the launcher copies the result back and waits for it).
template <class T>
void knn_forward_cuda(const T* x, int64_t* index, int64_t groups, int64_t points, int64_t features, int64_t k);

}  // namespace flowjet
