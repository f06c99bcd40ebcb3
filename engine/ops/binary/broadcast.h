// Numpy-style broadcasting of two shapes (up to 4 dims): trailing dims align, size-1 dims
// stretch. A BroadcastPlan describes the output index space and how each operand is read from it;
// the CPU helpers walk that space and reduce a full-size gradient back to an operand's shape.
#pragma once

#include <array>
#include <cstdint>

#include "engine/core/shape.h"

namespace flowjet {

struct BroadcastPlan {
  Shape out;                      // the broadcast result shape
  std::array<int64_t, 4> dims{};  // out, padded on the left with 1s to 4 dims
  std::array<int64_t, 4> out_strides{};
  std::array<int64_t, 4> a_strides{};  // element strides of a in the padded index space; 0 where a is stretched
  std::array<int64_t, 4> b_strides{};
  int64_t numel = 0;
  bool is_same_shape = false;  // a, b and out are all equal: one contiguous loop
  bool is_a_scalar = false;    // a has one element and b has the out shape
  bool is_b_scalar = false;    // b has one element and a has the out shape
};

/// The plan for an op on shapes a and b; throws ShapeError naming `op` and both shapes when they
/// do not broadcast (a dim pair must be equal or contain a 1).
BroadcastPlan make_broadcast_plan(const char* op, const Shape& a, const Shape& b);

/// True when the operand with these strides is stretched along no dim of size > 1, i.e. it has the output's shape
/// and its gradient terms need no summing.
bool covers_output(const BroadcastPlan& plan, const std::array<int64_t, 4>& strides);

/// Adds `full` (plan.numel elements, laid out as plan.out) into `target`, summing over every dim
/// where the operand with strides `target_strides` is stretched. Parallel over target elements.
template <class T>
void sum_to_cpu(const T* full, const BroadcastPlan& plan, const std::array<int64_t, 4>& target_strides, T* target);

}  // namespace flowjet
