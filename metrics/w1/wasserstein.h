// One-dimensional Wasserstein-1 distance between two samples with scipy's semantics
// (scipy.stats.wasserstein_distance without weights): metric-definitions.md §4.
#pragma once

#include <vector>

namespace flowjet::metrics {

/// W1(u, v) = integral |F_u(x) - F_v(x)| dx between the empirical CDFs of u and v (any sizes).
/// Takes the samples by value (they are sorted in place). Throws ShapeError if either is empty.
double wasserstein_1d(std::vector<double> u, std::vector<double> v);

/// Same, for samples that are already sorted ascending (not checked).
double wasserstein_1d_sorted(const std::vector<double>& u, const std::vector<double>& v);

}  // namespace flowjet::metrics
