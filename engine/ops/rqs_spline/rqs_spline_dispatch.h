// Host-side helpers shared by the CPU and CUDA spline kernels: the call's constants in T, and the choice
// of a compile-time bin count (the common K of the models, with the run-time-K fallback for the rest).
#pragma once

#include <cmath>
#include <type_traits>

#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/rqs_spline/rqs_spline_math.h"
#include "engine/ops/unary/logistic.h"

namespace flowjet {
namespace rqs {

template <class T>
Constants<T> make_constants(const RqsSplineOptions& o) {
  Constants<T> c;
  c.bins = o.num_bins;
  c.bound = T(o.tail_bound);
  c.min_width = T(o.min_bin_width);
  c.min_height = T(o.min_bin_height);
  c.min_derivative = T(o.min_derivative);
  // d_0 = d_K = d_min + softplus(log(exp(1 - d_min) - 1)) (flow-model.md §1.3), the softplus evaluated in T.
  c.end_derivative = c.min_derivative + softplus_value(T(std::log(std::exp(1.0 - o.min_derivative) - 1.0)));
  c.logit_scale = T(o.width_height_scale);
  return c;
}

/// Calls fn(std::integral_constant<int, K>) with K = bins for the bin counts the models use, else K = 0
/// (the run-time bin count).
template <class Fn>
void dispatch_bins(int bins, Fn&& fn) {
  switch (bins) {
    case 4: fn(std::integral_constant<int, 4>{}); break;
    case 5: fn(std::integral_constant<int, 5>{}); break;
    case 8: fn(std::integral_constant<int, 8>{}); break;
    default: fn(std::integral_constant<int, 0>{}); break;
  }
}

}  // namespace rqs
}  // namespace flowjet
