// The extrapolation fit of FPD exactly as jetnet performs it: scipy's curve_fit of y = a + b x
// with a, b >= 0, i.e. least_squares' trust-region-reflective solver from (1, 1) with its
// defaults, including where it stops (metric-definitions.md §13.6).
#pragma once

#include <vector>

namespace flowjet::metrics {

struct CurveFitResult {
  double intercept = 0;        ///< a at termination: jetnet's FPD
  double slope = 0;            ///< b at termination
  double intercept_error = 0;  ///< sqrt of curve_fit's covariance (0, 0); +inf when P <= 2
  int evaluations = 0;         ///< counted residual evaluations (at most 200)
  int status = 0;              ///< 1 gtol, 2 ftol, 3 xtol, 4 ftol and xtol
};

/// Fits y_k ~ a + b x_k (a, b >= 0) with the TRF iteration of metric-definitions.md §13.6 and returns the point where
/// it stops and curve_fit's standard error of a. x, y: [P], P >= 1.
/// Throws ShapeError (sizes), NumericError if 200 evaluations pass without convergence.
CurveFitResult jetnet_curve_fit(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace flowjet::metrics
