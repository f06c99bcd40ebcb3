// The spline one rational-quadratic coupling layer applies to one feature of one point: its knots
// (x_k, y_k, d_k) (flow-model.md §1.3) and the curve y = g(x) sampled on a grid, as CSV for plotting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flows/flow.h"

namespace flowjet::flows {

struct SplineKnots {
  std::vector<double> x;           // input-side knots x_0 = -B .. x_K = B: [K + 1]
  std::vector<double> y;           // output-side knots y_0 = -B .. y_K = B: [K + 1]
  std::vector<double> derivative;  // d_k = dy/dx at the knots (d_0 = d_K = 1 with linear tails): [K + 1]
};

/// Knots of one spline from its raw parameters as the spline receives them (widths and heights already divided
/// by sqrt(H)): flow-model.md §1.3 with min bin width, height and derivative 1e-3.
SplineKnots spline_knots(const std::vector<double>& widths, const std::vector<double>& heights,
                         const std::vector<double>& derivatives, double tail_bound);

struct SplineCurve {
  int64_t layer = 0;
  int64_t feature = 0;
  int64_t num_bins = 0;
  double tail_bound = 0.0;
  SplineKnots knots;
  std::vector<double> grid_x, grid_y, grid_derivative;  // the curve on `grid_points` points of [-1.25 B, 1.25 B]
};

/// The spline that coupling layer `layer` applies to `feature` when the flow maps the row x [1, D] (data side,
/// with context [1, C] or undefined): x is first passed through layers 0 .. layer-1, whose output the layer's
/// conditioner reads. Throws ConfigError when the index is out of range, the layer is not a spline coupling, or
/// the feature is held (not transformed) by that layer (the message lists the transformed features).
SplineCurve spline_curve(Flow& flow, int64_t layer, int64_t feature, const Tensor& x, const Tensor& context,
                         int64_t grid_points = 201);

/// CSV with a header: "kind,x,y,derivative" rows, kind "knot" (K + 1 rows) then "curve" (grid points).
std::string spline_csv(const SplineCurve& curve);

}  // namespace flowjet::flows
