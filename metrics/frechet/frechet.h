// Fréchet distance between two Gaussians, via symmetric eigendecompositions (metric-definitions.md
// 9.3), and the Gaussian fit (mean, unbiased covariance) of a sample of feature vectors.
#pragma once

#include <cstdint>
#include <vector>

namespace flowjet::metrics {

/// Mean and covariance of a Gaussian. mu: [dim]; sigma: [dim, dim] row-major, symmetric.
struct GaussianStats {
  int64_t dim = 0;
  std::vector<double> mu;
  std::vector<double> sigma;
};

/// Mean and unbiased (divisor rows - 1, like np.cov) covariance of x: [rows, cols] row-major,
/// accumulated in double. Throws ShapeError for rows < 2 or a size mismatch.
GaussianStats gaussian_fit(const std::vector<double>& x, int64_t rows, int64_t cols);
/// Same for float32 activations (ParticleNet runs in float32).
GaussianStats gaussian_fit(const std::vector<float>& x, int64_t rows, int64_t cols);

/// tr((sigma1 sigma2)^{1/2}) for symmetric positive semi-definite sigma1, sigma2 [dim, dim].
/// Equals sum_k sqrt(lambda_k) over the eigenvalues of S sigma2 S, S = sigma1^{1/2} (metric-definitions.md §9.3),
/// computed as the nuclear norm of A1^T A2 where sigma_i = A_i A_i^T, A_i = V_i diag(sqrt(w_i)) from
/// LAPACK dsyevd: eigenvalues w at or below dim * eps * max|w| (and negative ones) count as 0, which
/// matches jetnet keeping the real part of sqrtm. Singular values come from LAPACK dgesdd, so a
/// singular covariance does not turn rounding noise into ~1e-8 errors through a square root.
double trace_sqrt_product(const std::vector<double>& sigma1, const std::vector<double>& sigma2,
                          int64_t dim);

/// FD = |mu1 - mu2|^2 + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^{1/2}).
/// If the trace term is not finite it is retried once with 1e-6 added to both diagonals and
/// *regularised (if given) is set. Throws ShapeError (sizes) or NumericError (non-finite
/// input, naming the argument; LAPACK failure).
double frechet_distance(const GaussianStats& first, const GaussianStats& second,
                        bool* regularised = nullptr);

}  // namespace flowjet::metrics
