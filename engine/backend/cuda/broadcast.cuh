// Index math of numpy broadcasting for kernels with two operands over an output of at most 4 dims (the
// layout of engine/ops/binary/broadcast.h, as plain structs passed by value to kernels): where each operand
// is read for an output element, and how the output elements fold onto one element of a stretched operand
// when its gradient is summed back.
#pragma once

#include <cstdint>

namespace flowjet::cuda {

/// The output index space, padded on the left with 1s to 4 dims, and the element strides of both operands
/// in it (0 along a dim where the operand is stretched).
struct BroadcastIndex {
  int64_t dims[4];
  int64_t out_strides[4];
  int64_t a_strides[4];
  int64_t b_strides[4];
  bool is_same_shape;  // a, b and the output share one shape: every offset is the output index
};

struct OperandOffsets {
  int64_t a, b;
};

/// Where a and b are read for output element o.
__device__ inline OperandOffsets broadcast_offsets(const BroadcastIndex& p, int64_t o) {
  if (p.is_same_shape) return {o, o};
  OperandOffsets off{0, 0};
  for (int k = 3; k >= 0; --k) {
    const int64_t i = o % p.dims[k];
    o /= p.dims[k];
    off.a += i * p.a_strides[k];
    off.b += i * p.b_strides[k];
  }
  return off;
}

/// How the output folds onto an operand stretched along some dims: target element j (of the operand,
/// dims target_dims) receives the output elements j + r for r over fold_dims (1 where not stretched).
struct BroadcastFold {
  int64_t target_dims[4];
  int64_t fold_dims[4];
  int64_t target_numel;
  int64_t folded;  // output elements per target element: the product of fold_dims
};

/// Output element number r (0 <= r < folded) of those that fold onto target element j, with the offsets
/// of a and b there. In each dim one of target_dims and fold_dims is 1, so the two indices just add up.
__device__ inline int64_t folded_output(const BroadcastIndex& p, const BroadcastFold& f, int64_t j, int64_t r,
                                        OperandOffsets& off) {
  int64_t o = 0;
  off = {0, 0};
  for (int k = 3; k >= 0; --k) {
    const int64_t i = j % f.target_dims[k] + r % f.fold_dims[k];
    j /= f.target_dims[k];
    r /= f.fold_dims[k];
    o += i * p.out_strides[k];
    off.a += i * p.a_strides[k];
    off.b += i * p.b_strides[k];
  }
  return o;
}

}  // namespace flowjet::cuda
