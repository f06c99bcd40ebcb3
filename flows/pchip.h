// Monotone piecewise-cubic Hermite interpolation (PCHIP) exactly as SciPy's PchipInterpolator
// (training-recipe.md §8.3): Fritsch–Butland weighted harmonic-mean slopes inside, the one-sided
// three-point end formula with its sign and 3δ limits, evaluated from power-form coefficients.
#pragma once

#include <cstdint>
#include <vector>

namespace flowjet::flows {

/// Interpolant through (x_i, y_i), x strictly increasing, at least 2 nodes.
class Pchip {
 public:
  /// Throws flowjet::ShapeError when sizes differ or fewer than 2 nodes are given, and
  /// flowjet::NumericError when a value is not finite or x is not strictly increasing.
  Pchip(std::vector<double> x, std::vector<double> y);

  /// Value at t. Outside [x_0, x_{N-1}] the end cubics are extrapolated (SciPy's default).
  double operator()(double t) const;

  const std::vector<double>& nodes() const { return x_; }
  const std::vector<double>& values() const { return y_; }
  /// Node derivatives g_i of training-recipe.md §8.3.
  const std::vector<double>& derivatives() const { return slopes_; }

 private:
  std::vector<double> x_, y_, slopes_;
  std::vector<double> c0_, c1_, c2_;  // per interval: c0 s³ + c1 s² + c2 s + y_i, s = t - x_i
};

}  // namespace flowjet::flows
