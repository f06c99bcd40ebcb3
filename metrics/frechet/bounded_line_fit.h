// The exact least-squares fit of y ~ a + b x with a, b >= 0: the "bounded least-squares intercept"
// that metric-definitions.md §13.6 allows as a diagnostic beside jetnet's FPD (whose solver stops early).
#pragma once

#include <vector>

namespace flowjet::metrics {

struct LineFit {
  double intercept = 0;  ///< a
  double slope = 0;      ///< b
};

/// Minimises sum_k (a + b x_k - y_k)^2 over a >= 0, b >= 0 exactly. x, y: [P], P >= 1.
/// Throws ShapeError for empty or mismatched inputs.
LineFit bounded_line_fit(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace flowjet::metrics
