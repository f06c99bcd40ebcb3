// PCHIP of training-recipe.md §8.3, arithmetic ordered as SciPy 1.10's PchipInterpolator
// (_find_derivatives, _edge_case, CubicHermiteSpline coefficients, PPoly power-sum evaluation)
// so that results agree with SciPy to the last bits in ordinary cases.
#include "flows/pchip.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "engine/core/error.h"

namespace flowjet::flows {

namespace {

double sign(double v) { return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0); }

// One-sided three-point derivative at an end node, limited to keep the shape monotone.
double edge_derivative(double h0, double h1, double m0, double m1) {
  double d = ((2.0 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (sign(d) != sign(m0)) {
    d = 0.0;
  } else if (sign(m0) != sign(m1) && std::fabs(d) > 3.0 * std::fabs(m0)) {
    d = 3.0 * m0;
  }
  return d;
}

}  // namespace

Pchip::Pchip(std::vector<double> x, std::vector<double> y) : x_(std::move(x)), y_(std::move(y)) {
  const size_t n = x_.size();
  if (n != y_.size() || n < 2) {
    throw flowjet::ShapeError(fmt::format("Pchip: needs at least 2 nodes and as many values as nodes (got {} nodes, "
                                          "{} values)", n, y_.size()));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x_[i]) || !std::isfinite(y_[i])) {
      throw flowjet::NumericError(fmt::format("Pchip: node {} is not finite (x = {}, y = {})", i, x_[i], y_[i]));
    }
    if (i > 0 && !(x_[i] > x_[i - 1])) {
      throw flowjet::NumericError(fmt::format("Pchip: nodes must be strictly increasing; x[{}] = {} <= x[{}] = {}", i,
                                              x_[i], i - 1, x_[i - 1]));
    }
  }
  std::vector<double> h(n - 1), m(n - 1);
  for (size_t i = 0; i + 1 < n; ++i) {
    h[i] = x_[i + 1] - x_[i];
    m[i] = (y_[i + 1] - y_[i]) / h[i];
  }
  slopes_.assign(n, 0.0);
  if (n == 2) {
    slopes_[0] = slopes_[1] = m[0];
  } else {
    for (size_t i = 1; i + 1 < n; ++i) {
      const bool flat = sign(m[i]) != sign(m[i - 1]) || m[i] == 0.0 || m[i - 1] == 0.0;
      if (flat) continue;
      // Weighted harmonic mean; w1 goes with the left slope m[i-1].
      const double w1 = 2.0 * h[i] + h[i - 1];
      const double w2 = h[i] + 2.0 * h[i - 1];
      const double whmean = (w1 / m[i - 1] + w2 / m[i]) / (w1 + w2);
      slopes_[i] = 1.0 / whmean;
    }
    slopes_[0] = edge_derivative(h[0], h[1], m[0], m[1]);
    slopes_[n - 1] = edge_derivative(h[n - 2], h[n - 3], m[n - 2], m[n - 3]);
  }
  // Power-form coefficients of the cubic Hermite pieces (SciPy CubicHermiteSpline).
  c0_.resize(n - 1);
  c1_.resize(n - 1);
  c2_.resize(n - 1);
  for (size_t i = 0; i + 1 < n; ++i) {
    const double t = (slopes_[i] + slopes_[i + 1] - 2.0 * m[i]) / h[i];
    c0_[i] = t / h[i];
    c1_[i] = (m[i] - slopes_[i]) / h[i] - t;
    c2_[i] = slopes_[i];
  }
}

double Pchip::operator()(double t) const {
  // Interval i with x_i <= t < x_{i+1}; the last interval also holds t = x_{N-1}; outside the
  // range the end intervals extrapolate.
  const size_t last = x_.size() - 2;
  size_t i = 0;
  if (t >= x_[last + 1]) {
    i = last;
  } else if (t > x_[0]) {
    i = static_cast<size_t>(std::upper_bound(x_.begin(), x_.end(), t) - x_.begin()) - 1;
  }
  const double s = t - x_[i];
  // Sum of powers in the order of SciPy's evaluate_poly1.
  double result = y_[i];
  double z = s;
  result += c2_[i] * z;
  z *= s;
  result += c1_[i] * z;
  z *= s;
  result += c0_[i] * z;
  return result;
}

}  // namespace flowjet::flows
