// Fréchet distance (metric-definitions.md §9.3). tr (S1 S2)^{1/2} is the sum of the singular values of
// A1^T A2 with S_i = A_i A_i^T (A_i from LAPACK dsyevd eigenpairs, LAPACK dgesdd for the SVD):
// the same number as the textbook sum sqrt(eig(S S2 S)), without square roots of rounding noise.
#include "metrics/frechet/frechet.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"

extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
                        double* w, double* work, const int* lwork, int* iwork, const int* liwork,
                        int* info, size_t jobz_len, size_t uplo_len);
extern "C" void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
                        double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
                        int* iwork, int* info, size_t jobz_len);

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

// dim * eps * (largest |eigenvalue|): eigenvalues at or below this are 0 up to rounding.
double noise_floor(const std::vector<double>& eigenvalues, int64_t dim) {
  double largest = 0.0;
  for (const double e : eigenvalues) largest = std::max(largest, std::fabs(e));
  return static_cast<double>(dim) * 2.220446049250313e-16 * largest;
}

// Singular values of a [rows, cols] column-major matrix (overwritten), LAPACK dgesdd.
std::vector<double> singular_values(std::vector<double>& a, int64_t rows, int64_t cols) {
  const int m = static_cast<int>(rows), n = static_cast<int>(cols), one = 1;
  std::vector<double> s(static_cast<size_t>(std::min(m, n)));
  std::vector<int> iwork(static_cast<size_t>(8 * std::min(m, n)));
  double query = 0, dummy = 0;
  int lwork = -1, info = 0;
  const char jobz = 'N';
  dgesdd_(&jobz, &m, &n, a.data(), &m, s.data(), &dummy, &one, &dummy, &one, &query, &lwork, iwork.data(), &info, 1);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<size_t>(lwork));
  dgesdd_(&jobz, &m, &n, a.data(), &m, s.data(), &dummy, &one, &dummy, &one, work.data(), &lwork, iwork.data(), &info,
          1);
  if (info != 0) throw NumericError(fmt::format("frechet_distance: LAPACK dgesdd failed (info = {})", info));
  return s;
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
    const double* c = centred.data();
    for (int64_t a = 0; a < cols; ++a) {
      const double ca = c[a];
      double* row = g.sigma.data() + a * cols;
      int64_t b = a;
      for (; b + 4 <= cols; b += 4) {  // four independent updates per step: vectorised
        const double c0 = c[b], c1 = c[b + 1], c2 = c[b + 2], c3 = c[b + 3];
        const double r0 = row[b] + ca * c0, r1 = row[b + 1] + ca * c1;
        const double r2 = row[b + 2] + ca * c2, r3 = row[b + 3] + ca * c3;
        row[b] = r0;
        row[b + 1] = r1;
        row[b + 2] = r2;
        row[b + 3] = r3;
      }
      for (; b < cols; ++b) row[b] += ca * c[b];
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
  // Square-root factors A_i with sigma_i = A_i A_i^T: rows sqrt(w_k) v_k over the eigenpairs
  // whose eigenvalue is above the noise floor (dropped ones are 0 up to rounding: a singular
  // covariance, e.g. a batch of collinear or repeated rows).
  auto factor = [dim](const std::vector<double>& sigma, int64_t& rank) {
    std::vector<double> v = sigma;
    const std::vector<double> w = symmetric_eigen(v, dim, true);  // row k of v = eigenvector k
    const double floor = noise_floor(w, dim);
    std::vector<double> rows;
    rank = 0;
    for (int64_t k = 0; k < dim; ++k) {
      const double wk = w[static_cast<size_t>(k)];
      if (wk <= floor) continue;
      const double s = std::sqrt(wk);
      for (int64_t a = 0; a < dim; ++a) rows.push_back(s * v[static_cast<size_t>(k * dim + a)]);
      ++rank;
    }
    return rows;
  };
  int64_t rank1 = 0, rank2 = 0;
  const std::vector<double> a1 = factor(sigma1, rank1), a2 = factor(sigma2, rank2);
  if (rank1 == 0 || rank2 == 0) return 0.0;
  // The non-zero eigenvalues of sigma1 sigma2 = A1 A1^T A2 A2^T are the squared singular values of
  // C = A1^T A2, so tr (sigma1 sigma2)^{1/2} is the sum of the singular values of C (no square
  // root of a rounding-level eigenvalue is ever taken).
  std::vector<double> c(static_cast<size_t>(rank1 * rank2), 0.0);  // column-major [rank1, rank2]
  for (int64_t l = 0; l < rank2; ++l)
    for (int64_t k = 0; k < rank1; ++k) {
      const double* x = a1.data() + k * dim;
      const double* y = a2.data() + l * dim;
      double sum = 0.0;
      for (int64_t a = 0; a < dim; ++a) sum += x[a] * y[a];
      c[static_cast<size_t>(l * rank1 + k)] = sum;
    }
  const std::vector<double> singular = singular_values(c, rank1, rank2);
  double trace = 0.0;
  for (const double s : singular) trace += s;
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
