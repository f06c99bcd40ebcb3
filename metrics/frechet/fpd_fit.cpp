// Port of scipy's least_squares(method="trf", bounds=(0, inf)) as curve_fit calls it for FPD
// (metric-definitions.md §13.6; scipy/optimize/_lsq/trf.py trf_bounds, common.py, and curve_fit's
// covariance). Floating-point contraction is off in this unit: the reference values need every product
// and sum rounded separately, as numpy does.
#pragma GCC optimize("fp-contract=off")

#include "metrics/frechet/fpd_fit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "engine/core/error.h"

extern "C" void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
                        double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
                        int* iwork, int* info, size_t jobz_len);

namespace flowjet::metrics {

namespace {

using Vec2 = std::array<double, 2>;
constexpr double kEps = 2.220446049250313e-16;  // 2^-52
constexpr double kTol = 1e-8;                   // ftol = xtol = gtol
constexpr int kMaxEvaluations = 200;
const double kInf = std::numeric_limits<double>::infinity();

double dot2(const Vec2& a, const Vec2& b) { return a[0] * b[0] + a[1] * b[1]; }
double norm2(const Vec2& a) { return std::sqrt(dot2(a, a)); }
double dotn(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Thin SVD of a [rows, 2] matrix given as two columns: a = U diag(s) W^T (LAPACK dgesdd).
struct Svd2 {
  std::vector<double> u;  // column-major [rows, 2]
  Vec2 s{};
  std::array<double, 4> vt{};  // column-major [2, 2]: vt[r + 2c] = W^T(r, c) = W(c, r)
};
Svd2 svd2(const std::vector<double>& col0, const std::vector<double>& col1) {
  const int m = static_cast<int>(col0.size()), n = 2, ldvt = 2;
  std::vector<double> a(col0);
  a.insert(a.end(), col1.begin(), col1.end());
  Svd2 out;
  out.u.assign(static_cast<size_t>(m) * 2, 0.0);
  int info = 0, lwork = -1;
  std::vector<int> iwork(16);
  double query = 0;
  const char jobz = 'S';
  dgesdd_(&jobz, &m, &n, a.data(), &m, out.s.data(), out.u.data(), &m, out.vt.data(), &ldvt, &query, &lwork,
          iwork.data(), &info, 1);
  lwork = static_cast<int>(query);
  std::vector<double> work(static_cast<size_t>(std::max(lwork, 1)));
  dgesdd_(&jobz, &m, &n, a.data(), &m, out.s.data(), out.u.data(), &m, out.vt.data(), &ldvt, work.data(), &lwork,
          iwork.data(), &info, 1);
  if (info != 0) throw NumericError(fmt::format("FPD fit: LAPACK dgesdd failed (info = {})", info));
  return out;
}
// W z for the W of an Svd2.
Vec2 w_times(const Svd2& d, const Vec2& z) {
  return {d.vt[0] * z[0] + d.vt[1] * z[1], d.vt[2] * z[0] + d.vt[3] * z[1]};
}

class TrfFit {
 public:
  TrfFit(const std::vector<double>& x, const std::vector<double>& y) : x_(x), y_(y), p_(x.size()) {}
  CurveFitResult run();

 private:
  // r_k(q) = (q0 + q1 x_k) - y_k: product, sum, difference.
  std::vector<double> residuals(const Vec2& q) const {
    std::vector<double> r(p_);
    for (size_t k = 0; k < p_; ++k) {
      const double prod = q[1] * x_[k];
      const double sum = q[0] + prod;
      r[k] = sum - y_[k];
    }
    return r;
  }
  // Forward-difference Jacobian columns (not counted as evaluations).
  void jacobian(const Vec2& q, const std::vector<double>& r) {
    for (int j = 0; j < 2; ++j) {
      const double h = 1.4901161193847656e-08 * std::max(1.0, std::fabs(q[j]));  // 2^-26 max(1, |q|)
      Vec2 shifted = q;
      shifted[j] = q[j] + h;
      const double delta = shifted[j] - q[j];
      const auto r2 = residuals(shifted);
      auto& column = j == 0 ? j0_ : j1_;
      column.resize(p_);
      for (size_t k = 0; k < p_; ++k) column[k] = (r2[k] - r[k]) / delta;
    }
  }
  Vec2 gradient(const std::vector<double>& r) const { return {dotn(j0_, r), dotn(j1_, r)}; }
  // J_h z: the scaled Jacobian times a hat-space vector.
  std::vector<double> jh_times(const Vec2& z) const {
    std::vector<double> out(p_);
    for (size_t k = 0; k < p_; ++k) out[k] = jh0_[k] * z[0] + jh1_[k] * z[1];
    return out;
  }
  double quadratic(const Vec2& z) const {  // M(z) = 0.5 (|J_h z|^2 + (z o D) . z) + z . g_h
    const auto js = jh_times(z);
    double q = dotn(js, js);
    q += (z[0] * diag_[0]) * z[0] + (z[1] * diag_[1]) * z[1];
    const double l = dot2(z, g_h_);
    return 0.5 * q + l;
  }
  static std::pair<double, Vec2> step_to_bound(const Vec2& q, const Vec2& w) {
    Vec2 steps{kInf, kInf};
    for (int j = 0; j < 2; ++j)
      if (w[j] != 0.0) steps[j] = std::max((0.0 - q[j]) / w[j], (kInf - q[j]) / w[j]);
    const double t = std::min(steps[0], steps[1]);
    Vec2 hits{0, 0};
    for (int j = 0; j < 2; ++j)
      if (steps[j] == t) hits[j] = w[j] > 0 ? 1.0 : (w[j] < 0 ? -1.0 : 0.0);
    return {t, hits};
  }
  static std::pair<double, double> minimize_1d(double a, double b, double lo, double hi, double c) {
    std::array<double, 3> t{lo, hi, 0};
    int count = 2;
    if (a != 0) {
      const double extremum = -0.5 * b / a;
      if (lo < extremum && extremum < hi) t[count++] = extremum;
    }
    int best = 0;
    double best_value = 0;
    for (int i = 0; i < count; ++i) {
      const double value = t[i] * (a * t[i] + b) + c;
      if (i == 0 || value < best_value) {
        best = i;
        best_value = value;
      }
    }
    return {t[best], best_value};
  }
  Vec2 trust_region_step(const Svd2& d, const Vec2& uf, double delta, double& alpha) const;
  struct Step { Vec2 step, step_h; double predicted; };
  Step select_step(const Vec2& q, Vec2 h, Vec2 h_hat, const Vec2& dscale, double delta, double theta) const;

  const std::vector<double>& x_;
  const std::vector<double>& y_;
  size_t p_;
  std::vector<double> j0_, j1_, jh0_, jh1_;  // Jacobian columns and scaled ones
  Vec2 diag_{}, g_h_{};
};

Vec2 TrfFit::trust_region_step(const Svd2& d, const Vec2& uf, double delta, double& alpha) const {
  const Vec2& s = d.s;
  const Vec2 suf{s[0] * uf[0], s[1] * uf[1]};
  const bool full_rank = s[1] > kEps * static_cast<double>(p_) * s[0];
  if (full_rank) {
    const Vec2 p = w_times(d, {uf[0] / s[0], uf[1] / s[1]});
    const Vec2 minus_p{-p[0], -p[1]};
    if (norm2(minus_p) <= delta) {
      alpha = 0.0;
      return minus_p;
    }
  }
  auto phi_and_derivative = [&](double a, double& phi, double& phi_prime) {
    const Vec2 denom{s[0] * s[0] + a, s[1] * s[1] + a};
    const double p_norm = norm2({suf[0] / denom[0], suf[1] / denom[1]});
    phi = p_norm - delta;
    const double sum = suf[0] * suf[0] / (denom[0] * denom[0] * denom[0]) +
                       suf[1] * suf[1] / (denom[1] * denom[1] * denom[1]);
    phi_prime = -sum / p_norm;
  };
  double alpha_upper = norm2(suf) / delta, alpha_lower = 0.0;
  if (full_rank) {
    double phi, phi_prime;
    phi_and_derivative(0.0, phi, phi_prime);
    alpha_lower = -phi / phi_prime;
  }
  if (!full_rank && alpha == 0.0) alpha = std::max(0.001 * alpha_upper, std::sqrt(alpha_lower * alpha_upper));
  for (int it = 0; it < 10; ++it) {
    if (alpha < alpha_lower || alpha > alpha_upper)
      alpha = std::max(0.001 * alpha_upper, std::sqrt(alpha_lower * alpha_upper));
    double phi, phi_prime;
    phi_and_derivative(alpha, phi, phi_prime);
    if (phi < 0) alpha_upper = alpha;
    const double ratio = phi / phi_prime;
    alpha_lower = std::max(alpha_lower, alpha - ratio);
    alpha -= (phi + delta) * ratio / delta;
    if (std::fabs(phi) < 0.01 * delta) break;
  }
  const Vec2 p = w_times(d, {suf[0] / (s[0] * s[0] + alpha), suf[1] / (s[1] * s[1] + alpha)});
  Vec2 out{-p[0], -p[1]};
  const double scale = delta / norm2(out);
  out[0] *= scale;
  out[1] *= scale;
  return out;
}

TrfFit::Step TrfFit::select_step(const Vec2& q, Vec2 h, Vec2 h_hat, const Vec2& dscale, double delta,
                                 double theta) const {
  if (q[0] + h[0] >= 0 && q[1] + h[1] >= 0) return {h, h_hat, -quadratic(h_hat)};
  const auto [t_b, hits] = step_to_bound(q, h);
  Vec2 r_hat = h_hat;
  for (int j = 0; j < 2; ++j)
    if (hits[j] != 0) r_hat[j] *= -1;
  Vec2 r{dscale[0] * r_hat[0], dscale[1] * r_hat[1]};
  for (int j = 0; j < 2; ++j) {
    h[j] *= t_b;
    h_hat[j] *= t_b;
  }
  const Vec2 q_b{q[0] + h[0], q[1] + h[1]};
  // Larger root t of |h_hat + t r_hat| = delta.
  const double a2 = dot2(r_hat, r_hat), b2 = dot2(h_hat, r_hat), c2 = dot2(h_hat, h_hat) - delta * delta;
  const double disc = std::sqrt(b2 * b2 - a2 * c2);
  const double w = -(b2 + std::copysign(disc, b2));
  const double t_tr = std::max(w / a2, c2 / w);
  const double t_eb = step_to_bound(q_b, r).first;
  const double t_e = std::min(t_eb, t_tr);
  double lo, hi;
  if (t_e > 0) {
    lo = (1 - theta) * t_b / t_e;
    hi = t_e == t_eb ? theta * t_eb : t_tr;
  } else {
    lo = 0;
    hi = -1;
  }
  double value_r = kInf;
  if (lo <= hi) {
    const auto v = jh_times(r_hat), u = jh_times(h_hat);
    double a = dotn(v, v);
    a += (r_hat[0] * diag_[0]) * r_hat[0] + (r_hat[1] * diag_[1]) * r_hat[1];
    a *= 0.5;
    double b = dot2(g_h_, r_hat);
    b += dotn(u, v);
    double c = 0.5 * dotn(u, u) + dot2(g_h_, h_hat);
    b += (h_hat[0] * diag_[0]) * r_hat[0] + (h_hat[1] * diag_[1]) * r_hat[1];
    c += 0.5 * ((h_hat[0] * diag_[0]) * h_hat[0] + (h_hat[1] * diag_[1]) * h_hat[1]);
    const auto [t, value] = minimize_1d(a, b, lo, hi, c);
    value_r = value;
    for (int j = 0; j < 2; ++j) {
      r_hat[j] = r_hat[j] * t + h_hat[j];
      r[j] = r_hat[j] * dscale[j];
    }
  }
  for (int j = 0; j < 2; ++j) {
    h[j] *= theta;
    h_hat[j] *= theta;
  }
  const double value_h = quadratic(h_hat);
  Vec2 m_hat{-g_h_[0], -g_h_[1]};
  Vec2 m{dscale[0] * m_hat[0], dscale[1] * m_hat[1]};
  const double to_tr = delta / norm2(m_hat);
  const double to_bound = step_to_bound(q, m).first;
  const double stride = to_bound < to_tr ? theta * to_bound : to_tr;
  const auto jm = jh_times(m_hat);
  double a = dotn(jm, jm);
  a += (m_hat[0] * diag_[0]) * m_hat[0] + (m_hat[1] * diag_[1]) * m_hat[1];
  a *= 0.5;
  const double b = dot2(g_h_, m_hat);
  const auto [t_m, value_m] = minimize_1d(a, b, 0.0, stride, 0.0);
  for (int j = 0; j < 2; ++j) {
    m_hat[j] *= t_m;
    m[j] *= t_m;
  }
  if (value_h < value_r && value_h < value_m) return {h, h_hat, -value_h};
  if (value_r < value_h && value_r < value_m) return {r, r_hat, -value_r};
  return {m, m_hat, -value_m};
}

CurveFitResult TrfFit::run() {
  Vec2 q{1.0, 1.0};
  auto r = residuals(q);
  int evaluations = 1;
  jacobian(q, r);
  double cost = 0.5 * dotn(r, r);
  Vec2 g = gradient(r);
  double delta = std::sqrt(2.0);
  double alpha = 0.0;
  int status = 0;
  while (true) {
    Vec2 v{1.0, 1.0}, sigma{0.0, 0.0};
    for (int j = 0; j < 2; ++j)
      if (g[j] > 0) {
        v[j] = q[j];
        sigma[j] = 1.0;
      }
    const double g_norm = std::max(std::fabs(g[0] * v[0]), std::fabs(g[1] * v[1]));
    if (g_norm < kTol) status = 1;
    if (status != 0 || evaluations == kMaxEvaluations) break;
    const Vec2 dscale{std::sqrt(v[0]), std::sqrt(v[1])};
    diag_ = {g[0] * sigma[0], g[1] * sigma[1]};
    g_h_ = {dscale[0] * g[0], dscale[1] * g[1]};
    jh0_.resize(p_);
    jh1_.resize(p_);
    for (size_t k = 0; k < p_; ++k) {
      jh0_[k] = j0_[k] * dscale[0];
      jh1_[k] = j1_[k] * dscale[1];
    }
    // SVD of [J_h; diag(sqrt(D))], f = U^T [r; 0; 0].
    std::vector<double> col0 = jh0_, col1 = jh1_;
    col0.push_back(std::sqrt(diag_[0]));
    col0.push_back(0.0);
    col1.push_back(0.0);
    col1.push_back(std::sqrt(diag_[1]));
    const Svd2 d = svd2(col0, col1);
    const size_t rows = p_ + 2;
    Vec2 uf{0.0, 0.0};
    for (int c = 0; c < 2; ++c)
      for (size_t k = 0; k < p_; ++k) uf[c] += d.u[c * rows + k] * r[k];
    const double theta = std::max(0.995, 1 - g_norm);
    double actual_reduction = -1;
    Vec2 q_new = q;
    std::vector<double> r_new;
    double cost_new = cost;
    while (actual_reduction <= 0 && evaluations < kMaxEvaluations) {
      const Vec2 h_hat = trust_region_step(d, uf, delta, alpha);
      const Vec2 h{dscale[0] * h_hat[0], dscale[1] * h_hat[1]};
      const Step s = select_step(q, h, h_hat, dscale, delta, theta);
      for (int j = 0; j < 2; ++j) {
        q_new[j] = q[j] + s.step[j];
        if (q_new[j] <= 0) q_new[j] = std::numeric_limits<double>::denorm_min();  // nextafter(0, inf)
      }
      r_new = residuals(q_new);
      ++evaluations;
      const double step_h_norm = norm2(s.step_h);
      cost_new = 0.5 * dotn(r_new, r_new);
      actual_reduction = cost - cost_new;
      double ratio;
      if (s.predicted > 0) ratio = actual_reduction / s.predicted;
      else if (s.predicted == actual_reduction && s.predicted == 0) ratio = 1;
      else ratio = 0;
      double delta_new = delta;
      if (ratio < 0.25) delta_new = 0.25 * step_h_norm;
      else if (ratio > 0.75 && step_h_norm > 0.95 * delta) delta_new = 2.0 * delta;
      const bool ftol_ok = actual_reduction < kTol * cost && ratio > 0.25;
      const bool xtol_ok = norm2(s.step) < kTol * (kTol + norm2(q));
      if (ftol_ok && xtol_ok) status = 4;
      else if (ftol_ok) status = 2;
      else if (xtol_ok) status = 3;
      if (status != 0) break;
      alpha *= delta / delta_new;
      delta = delta_new;
    }
    if (actual_reduction > 0) {
      q = q_new;
      r = r_new;
      cost = cost_new;
      jacobian(q, r);
      g = gradient(r);
    }
  }
  if (status == 0)
    throw NumericError(fmt::format("FPD fit: optimal parameters not found in {} evaluations", kMaxEvaluations));

  CurveFitResult out;
  out.intercept = q[0];
  out.slope = q[1];
  out.evaluations = evaluations;
  out.status = status;
  // curve_fit's covariance: pseudo-inverse of J^T J from the SVD of the final J, times the
  // residual variance 2C / (P - 2).
  if (p_ <= 2) {
    out.intercept_error = kInf;
    return out;
  }
  const Svd2 d = svd2(j0_, j1_);
  const double threshold = kEps * static_cast<double>(std::max<size_t>(p_, 2)) * d.s[0];
  double cov00 = 0.0;
  for (int i = 0; i < 2; ++i)
    if (d.s[i] > threshold) {
      const double w0 = d.vt[i];  // W(0, i) = VT(i, 0)
      cov00 += w0 / (d.s[i] * d.s[i]) * w0;
    }
  cov00 *= (2.0 * cost) / static_cast<double>(p_ - 2);
  out.intercept_error = std::sqrt(cov00);
  return out;
}

}  // namespace

CurveFitResult jetnet_curve_fit(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || x.size() != y.size())
    throw ShapeError(fmt::format("FPD fit: {} x values and {} y values, expected equal and >= 1", x.size(), y.size()));
  return TrfFit(x, y).run();
}

}  // namespace flowjet::metrics
