// Ops that move values without arithmetic: concat, slice, reshape and 2-d transpose. Each one's
// backward moves the gradient back the same way (slice <-> concat, transpose of the transpose).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor/tensor.h"

namespace flowjet {

/// Joins tensors along `axis` (negative counts from the end). All parts need the same dtype,
/// device and rank, and equal sizes on every other axis; a part may be empty along `axis`.
/// Throws ShapeError naming the first mismatching shapes, or for an empty list.
Tensor concat(const std::vector<Tensor>& parts, int axis);
/// Elements begin..end-1 of `axis` (0 <= begin <= end <= size), a copy. Throws ShapeError.
Tensor slice(const Tensor& x, int axis, int64_t begin, int64_t end);
/// The same values with another shape of equal numel. No copy: the result shares x's storage.
/// Throws ShapeError naming both shapes when the numels differ.
Tensor reshape(const Tensor& x, const Shape& shape);
/// [rows, cols] -> [cols, rows], a copy. Throws ShapeError for other ranks.
Tensor transpose(const Tensor& x);

/// CPU kernels (shape_cpu.cpp). copy_blocks_cpu copies `rows` runs of `width` values from src
/// (runs `src_stride` apart) to dst (runs `dst_stride` apart), adding instead when `accumulate`.
template <class T>
void copy_blocks_cpu(const T* src, int64_t src_stride, T* dst, int64_t dst_stride, int64_t rows, int64_t width,
                     bool accumulate);
/// y[c, r] = x[r, c] (or += when `accumulate`) for x [rows, cols].
template <class T>
void transpose_cpu(const T* x, T* y, int64_t rows, int64_t cols, bool accumulate);

/// CUDA launchers (shape_cuda.cu), same contract on device pointers.
template <class T>
void copy_blocks_cuda(const T* src, int64_t src_stride, T* dst, int64_t dst_stride, int64_t rows, int64_t width,
                      bool accumulate);
template <class T>
void transpose_cuda(const T* x, T* y, int64_t rows, int64_t cols, bool accumulate);

}  // namespace flowjet
