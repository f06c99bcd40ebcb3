// Two-parameter non-negative least squares by enumerating the faces of the feasible quadrant: the
// cost is a convex quadratic, so its minimum over a >= 0, b >= 0 is the cheapest feasible point
// among the free minimum, the minima on the edges a = 0 and b = 0, and the corner (0, 0).
#include "metrics/frechet/bounded_line_fit.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

namespace {
double cost(const std::vector<double>& x, const std::vector<double>& y, const LineFit& fit) {
  double sum = 0.0;
  for (size_t k = 0; k < x.size(); ++k) {
    const double r = fit.intercept + fit.slope * x[k] - y[k];
    sum += r * r;
  }
  return sum;
}
}  // namespace

LineFit bounded_line_fit(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || x.size() != y.size())
    throw ShapeError(fmt::format("bounded_line_fit: {} x values and {} y values (need the same number, >= 1)",
                                 x.size(), y.size()));
  const double n = static_cast<double>(x.size());
  double mean_x = 0.0, mean_y = 0.0, sum_xx = 0.0, sum_xy = 0.0;
  for (size_t k = 0; k < x.size(); ++k) {
    mean_x += x[k];
    mean_y += y[k];
    sum_xx += x[k] * x[k];
    sum_xy += x[k] * y[k];
  }
  mean_x /= n;
  mean_y /= n;
  double centred_xx = 0.0, centred_xy = 0.0;
  for (size_t k = 0; k < x.size(); ++k) {
    centred_xx += (x[k] - mean_x) * (x[k] - mean_x);
    centred_xy += (x[k] - mean_x) * (y[k] - mean_y);
  }
  if (centred_xx > 0.0) {  // the unconstrained minimum (ordinary least squares)
    const double slope = centred_xy / centred_xx;
    const LineFit free_fit{mean_y - slope * mean_x, slope};
    if (free_fit.intercept >= 0.0 && free_fit.slope >= 0.0) return free_fit;
  }
  // Minima on the edges a = 0 and b = 0 (each clamped, which also covers the corner).
  const LineFit on_a_zero{0.0, sum_xx > 0.0 ? std::max(0.0, sum_xy / sum_xx) : 0.0};
  const LineFit on_b_zero{std::max(0.0, mean_y), 0.0};
  return cost(x, y, on_b_zero) < cost(x, y, on_a_zero) ? on_b_zero : on_a_zero;
}

}  // namespace flowjet::metrics
