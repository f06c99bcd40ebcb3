// Knots and sampled curve of one coupling layer's spline for one feature (flow-model.md §1.3, §2.3).
#include "flows/inspect/spline_curve.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/rqs_spline/rqs_spline_math.h"
#include "flows/coupling/rqs_coupling.h"

namespace flowjet::flows {

namespace {

constexpr double kMinBinSize = 1e-3;     // min bin width and height (flow-model.md §1.2)
constexpr double kMinDerivative = 1e-3;  // min derivative (flow-model.md §1.2)

// The spline op's own knot formula (engine/ops/rqs_spline/rqs_spline_math.h), so each x_k is bit for
// bit the op's knot: next to a steep bin one ulp of x moves log|dy/dx| by ~1e-7.
std::vector<double> knots_from_sizes(const std::vector<double>& raw, double bound) {
  const int bins = static_cast<int>(raw.size());
  std::vector<double> prob(raw.size()), knots(raw.size() + 1);
  rqs::knots_from_logits<double, double>(raw.data(), bins, 1.0, kMinBinSize, bound, prob.data(), knots.data());
  return knots;
}

// d = d_min + softplus(raw), as the op computes it.
double derivative(double raw) {
  double slope;
  return rqs::derivative_from_logit<double, double>(raw, kMinDerivative, &slope);
}

}  // namespace

SplineKnots spline_knots(const std::vector<double>& widths, const std::vector<double>& heights,
                         const std::vector<double>& derivatives, double tail_bound) {
  SplineKnots knots;
  knots.x = knots_from_sizes(widths, tail_bound);
  knots.y = knots_from_sizes(heights, tail_bound);
  // The end derivatives come from the padding constant log(exp(1 - d_min) - 1), giving 1 (flow-model.md §1.3).
  const double end = derivative(std::log(std::exp(1.0 - kMinDerivative) - 1.0));
  knots.derivative.push_back(end);
  for (double d : derivatives) knots.derivative.push_back(derivative(d));
  knots.derivative.push_back(end);
  return knots;
}

SplineCurve spline_curve(Flow& flow, int64_t layer, int64_t feature, const Tensor& x, const Tensor& context,
                         int64_t grid_points) {
  const int64_t L = flow.num_layers();
  if (layer < 0 || layer >= L)
    throw ConfigError(fmt::format("spline: layer {} is out of range: the flow has {} coupling layers (0..{})", layer, L,
                                  L - 1));
  auto* rqs = dynamic_cast<RqsCoupling*>(&flow.layer(layer));
  if (!rqs) throw ConfigError(fmt::format("spline: layer {} is an affine coupling, not a spline", layer));
  const std::vector<int64_t> transformed = rqs->transform_features();
  const auto it = std::find(transformed.begin(), transformed.end(), feature);
  if (it == transformed.end())
    throw ConfigError(fmt::format("spline: feature {} is held (not transformed) by layer {}; it transforms [{}]",
                                  feature, layer, fmt::join(transformed, ", ")));
  if (grid_points < 2) throw ConfigError(fmt::format("spline: the grid needs at least 2 points, got {}", grid_points));
  NoGradScope no_grad;
  // The layer's conditioner reads the output of the layers before it.
  const Tensor h = flow.trace(x, context, false).at(static_cast<std::size_t>(layer)).inputs;
  const int64_t K = rqs->num_bins();
  const int64_t j = it - transformed.begin();
  const int64_t P = 3 * K - 1;
  const RqsSplineOptions options =
      coupling_spline_options(K, rqs->tail_bound(), rqs->conditioner().spec().hidden_features);
  // The j-th transformed feature's packed logits [K widths, K heights, K-1 derivatives] in the conditioner output.
  const std::vector<double> all = rqs->conditioner_params(h, context).to_vector();
  const std::vector<double> logits(all.begin() + j * P, all.begin() + (j + 1) * P);
  std::vector<double> widths(logits.begin(), logits.begin() + K), heights(logits.begin() + K, logits.begin() + 2 * K);
  for (double& w : widths) w *= options.width_height_scale;  // as the op scales them
  for (double& hk : heights) hk *= options.width_height_scale;
  const std::vector<double> derivatives(logits.begin() + 2 * K, logits.end());
  SplineCurve curve;
  curve.layer = layer;
  curve.feature = feature;
  curve.num_bins = K;
  curve.tail_bound = rqs->tail_bound();
  curve.knots = spline_knots(widths, heights, derivatives, curve.tail_bound);
  // The curve: the spline op itself on the grid, each point with the same parameters.
  const double lo = -1.25 * curve.tail_bound, hi = 1.25 * curve.tail_bound;
  std::vector<double> grid, packed;
  for (int64_t g = 0; g < grid_points; ++g) {
    grid.push_back(lo + (hi - lo) * static_cast<double>(g) / static_cast<double>(grid_points - 1));
    packed.insert(packed.end(), logits.begin(), logits.end());
  }
  const int64_t G = grid_points;
  // One feature per row, so the row log|det| is the point's own.
  RqsSplineResult r = rqs_spline(Tensor::from_vector(grid, Shape{G, 1}, DType::F64),
                                 Tensor::from_vector(packed, Shape{G, P}, DType::F64), options, false);
  curve.grid_x = grid;
  curve.grid_y = r.outputs.to_vector();
  for (double ld : r.logabsdet.to_vector()) curve.grid_derivative.push_back(std::exp(ld));
  return curve;
}

std::string spline_csv(const SplineCurve& curve) {
  std::string out = "kind,x,y,derivative\n";
  for (std::size_t k = 0; k < curve.knots.x.size(); ++k)
    out += fmt::format("knot,{:.17g},{:.17g},{:.17g}\n", curve.knots.x[k], curve.knots.y[k], curve.knots.derivative[k]);
  for (std::size_t g = 0; g < curve.grid_x.size(); ++g)
    out += fmt::format("curve,{:.17g},{:.17g},{:.17g}\n", curve.grid_x[g], curve.grid_y[g], curve.grid_derivative[g]);
  return out;
}

}  // namespace flowjet::flows
