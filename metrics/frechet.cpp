// Fréchet distance (spec metrics.md 9.3): tr sqrt(S1 S2) = sum sqrt(eig(S S2 S)), S = S1^{1/2},
// both by LAPACK's symmetric divide-and-conquer eigensolver dsyevd; plain loops for the products.
#include "metrics/frechet.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"

extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
                        double* w, double* work, const int* lwork, int* iwork, const int* liwork,
                        int* info, size_t jobz_len, size_t uplo_len);

namespace flowjet::metrics {

namespace {

// Eigenvalues (ascending) and, if vectors, eigenvectors of the symmetric matrix a [dim, dim]
// (overwritten; column k of the column-major result = row k of the row-major buffer).
std::vector<double> symmetric_eigen(std::vector<double>& a, int64_t dim, bool vectors) {
  const int n = static_cast<int>(dim);
  std::vector<double> w(static_cast<size_t>(dim));
  const int lwork = vectors ? 1 + 6 * n + 2 * n * n : 2 * n + 1;
  const int liwork = vectors ? 3 + 5 * n : 1;
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  int info = 0;
  const char jobz = vectors ? 'V' : 'N', uplo = 'L';
  dsyevd_(&jobz, &uplo, &n, a.data(), &n, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  if (info != 0) throw NumericError(fmt::format("frechet_distance: LAPACK dsyevd failed (info = {}) on a {}x{} matrix", info, n, n));
  return w;
}

// c = a b for [dim, dim] row-major matrices.
std::vector<double> matmul(const std::vector<double>& a, const std::vector<double>& b, int64_t dim) {
  std::vector<double> c(static_cast<size_t>(dim * dim), 0.0);
  for (int64_t i = 0; i < dim; ++i)
    for (int64_t k = 0; k < dim; ++k) {
      const double aik = a[static_cast<size_t>(i * dim + k)];
      const double* brow = b.data() + k * dim;
      double* crow = c.data() + i * dim;
      for (int64_t j = 0; j < dim; ++j) crow[j] += aik * brow[j];
    }
  return c;
}

void check_stats(const GaussianStats& g, const char* which) {
  if (g.dim < 1 || g.mu.size() != static_cast<size_t>(g.dim) || g.sigma.size() != static_cast<size_t>(g.dim * g.dim))
    throw ShapeError(fmt::format("frechet_distance: {} Gaussian has dim {}, mu of {} and sigma of {} values",
                                 which, g.dim, g.mu.size(), g.sigma.size()));
  for (const double v : g.mu)
    if (!std::isfinite(v)) throw NumericError(fmt::format("frechet_distance: {} mean has a non-finite entry", which));
  for (const double v : g.sigma)
    if (!std::isfinite(v)) throw NumericError(fmt::format("frechet_distance: {} covariance has a non-finite entry", which));
}

template <typename T>
GaussianStats fit(const std::vector<T>& x, int64_t rows, int64_t cols) {
  if (rows < 2 || cols < 1 || x.size() != static_cast<size_t>(rows * cols))
    throw ShapeError(fmt::format("gaussian_fit: {} values for [{}, {}], need rows >= 2", x.size(), rows, cols));
  GaussianStats g;
  g.dim = cols;
  g.mu.assign(static_cast<size_t>(cols), 0.0);
  g.sigma.assign(static_cast<size_t>(cols * cols), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) g.mu[static_cast<size_t>(c)] += static_cast<double>(x[static_cast<size_t>(r * cols + c)]);
  for (auto& m : g.mu) m /= static_cast<double>(rows);
  std::vector<double> centred(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c)
      centred[static_cast<size_t>(c)] = static_cast<double>(x[static_cast<size_t>(r * cols + c)]) - g.mu[static_cast<size_t>(c)];
    for (int64_t a = 0; a < cols; ++a) {
      const double ca = centred[static_cast<size_t>(a)];
      double* row = g.sigma.data() + a * cols;
      for (int64_t b = a; b < cols; ++b) row[b] += ca * centred[static_cast<size_t>(b)];
    }
  }
  for (int64_t a = 0; a < cols; ++a)
    for (int64_t b = a; b < cols; ++b) {
      const double v = g.sigma[static_cast<size_t>(a * cols + b)] / static_cast<double>(rows - 1);
      g.sigma[static_cast<size_t>(a * cols + b)] = v;
      g.sigma[static_cast<size_t>(b * cols + a)] = v;
    }
  return g;
}

}  // namespace

GaussianStats gaussian_fit(const std::vector<double>& x, int64_t rows, int64_t cols) { return fit(x, rows, cols); }
GaussianStats gaussian_fit(const std::vector<float>& x, int64_t rows, int64_t cols) { return fit(x, rows, cols); }

double trace_sqrt_product(const std::vector<double>& sigma1, const std::vector<double>& sigma2, int64_t dim) {
  // sigma1 = V diag(w) V^T  ->  S = V diag(sqrt(max(w, 0))) V^T.
  std::vector<double> v = sigma1;
  const std::vector<double> w = symmetric_eigen(v, dim, true);  // row k of v = eigenvector k
  std::vector<double> scaled(static_cast<size_t>(dim * dim));   // row k: sqrt(sqrt(w_k)) v_k
  for (int64_t k = 0; k < dim; ++k) {
    const double s = std::sqrt(std::sqrt(std::max(w[static_cast<size_t>(k)], 0.0)));
    for (int64_t a = 0; a < dim; ++a) scaled[static_cast<size_t>(k * dim + a)] = s * v[static_cast<size_t>(k * dim + a)];
  }
  std::vector<double> root(static_cast<size_t>(dim * dim), 0.0);  // S_ab = sum_k scaled_ka scaled_kb
  for (int64_t k = 0; k < dim; ++k) {
    const double* row = scaled.data() + k * dim;
    for (int64_t a = 0; a < dim; ++a) {
      const double ra = row[a];
      double* out = root.data() + a * dim;
      for (int64_t b = 0; b < dim; ++b) out[b] += ra * row[b];
    }
  }
  std::vector<double> m = matmul(matmul(root, sigma2, dim), root, dim);  // S sigma2 S
  for (int64_t a = 0; a < dim; ++a)
    for (int64_t b = a + 1; b < dim; ++b) {
      const double avg = 0.5 * (m[static_cast<size_t>(a * dim + b)] + m[static_cast<size_t>(b * dim + a)]);
      m[static_cast<size_t>(a * dim + b)] = avg;
      m[static_cast<size_t>(b * dim + a)] = avg;
    }
  const std::vector<double> lambda = symmetric_eigen(m, dim, false);
  double trace = 0.0;
  for (const double l : lambda) trace += std::sqrt(std::max(l, 0.0));
  return trace;
}

double frechet_distance(const GaussianStats& first, const GaussianStats& second, bool* regularised) {
  check_stats(first, "first");
  check_stats(second, "second");
  if (first.dim != second.dim)
    throw ShapeError(fmt::format("frechet_distance: Gaussians of dimension {} and {}", first.dim, second.dim));
  const int64_t dim = first.dim;
  double mean_term = 0.0, trace1 = 0.0, trace2 = 0.0;
  for (int64_t a = 0; a < dim; ++a) {
    const double d = first.mu[static_cast<size_t>(a)] - second.mu[static_cast<size_t>(a)];
    mean_term += d * d;
    trace1 += first.sigma[static_cast<size_t>(a * dim + a)];
    trace2 += second.sigma[static_cast<size_t>(a * dim + a)];
  }
  if (regularised != nullptr) *regularised = false;
  double cross = trace_sqrt_product(first.sigma, second.sigma, dim);
  if (!std::isfinite(cross)) {
    std::vector<double> s1 = first.sigma, s2 = second.sigma;
    for (int64_t a = 0; a < dim; ++a) {
      s1[static_cast<size_t>(a * dim + a)] += 1e-6;
      s2[static_cast<size_t>(a * dim + a)] += 1e-6;
    }
    cross = trace_sqrt_product(s1, s2, dim);
    if (regularised != nullptr) *regularised = true;
    if (!std::isfinite(cross)) throw NumericError("frechet_distance: tr sqrt(sigma1 sigma2) is not finite even with 1e-6 added to the diagonals");
  }
  return mean_term + trace1 + trace2 - 2.0 * cross;
}

}  // namespace flowjet::metrics
