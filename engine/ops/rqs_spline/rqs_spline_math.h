// The per-element mathematics of the rational-quadratic spline with linear tails, written once for the
// CPU kernels (rqs_spline_cpu.cpp) and the CUDA kernels (rqs_spline_cuda.cu): knots from the raw logits,
// the bin search, the forward and inverse evaluation with log|det|, and the backward through all of it.
// Source: Durkan et al. 2019, "Neural Spline Flows"; the exact semantics are nflows'
// unconstrained_rational_quadratic_spline(tails="linear") (flows.md §1). README.md derives the backward.
//
// One element = one scalar v with its own P = 3K-1 packed logits, laid out as the coupling layer's
// conditioner writes them: [K width logits, K height logits, K-1 derivative logits].
// K is a template argument: K > 0 fixes the bin count at compile time (the loops unroll, the scratch
// arrays are exactly K long); K = 0 takes it from Constants::bins, with arrays of kMaxBins.
#pragma once

#include <cmath>

#include "engine/core/host_device.h"

namespace flowjet {
namespace rqs {

/// The most bins an element may have (the size of the run-time-K scratch arrays, per element).
constexpr int kMaxBins = 64;
/// nflows adds 1e-6 to the last knot in the bin search only (flows.md §1.5).
constexpr double kSearchEpsilon = 1e-6;

/// The constants of one call, converted to T once on the host.
template <class T>
struct Constants {
  int bins;            // K
  T bound;             // B: the spline acts on [-B, B], identity outside
  T min_width, min_height, min_derivative;
  T end_derivative;    // d_0 = d_K (flows.md §1.3): 1 up to rounding
  T logit_scale;       // multiplies the width and height logits (1/sqrt(H) in nflows' coupling layer)
};

FLOWJET_HOST_DEVICE constexpr int capacity(int K) { return K > 0 ? K : kMaxBins; }

/// Logits of one element; P = 3K-1 values.
FLOWJET_HOST_DEVICE constexpr int params_per_element(int bins) { return 3 * bins - 1; }

/// d = d_min + softplus(raw) with PyTorch's softplus (raw itself above the threshold 20, else
/// log1p(exp(raw))); *slope = dd/draw = sigmoid(raw), 1 above the threshold. One exp serves both.
template <class T>
FLOWJET_HOST_DEVICE inline T derivative_from_logit(T raw, T min_derivative, T* slope) {
  if (raw > T(20)) {
    *slope = T(1);
    return min_derivative + raw;
  }
  const T e = std::exp(raw);
  *slope = e / (T(1) + e);
  return min_derivative + std::log1p(e);
}

/// flows.md §1.3 steps 1-5: p = softmax(scale * logits); sizes w = w_min + (1 - K w_min) p; knots are the
/// cumulative sums from 0 mapped to [-B, B] (multiply by 2B first, then add -B, as nflows); the end knots
/// are set to exactly -B and B. Writes p [K] and the knots [K+1].
template <class T>
FLOWJET_HOST_DEVICE inline void knots_from_logits(const T* logits, int bins, T logit_scale, T min_size, T bound, T* prob,
                                                  T* knots) {
  T top = logits[0] * logit_scale;
  for (int j = 0; j < bins; ++j) {
    prob[j] = logits[j] * logit_scale;
    top = prob[j] > top ? prob[j] : top;
  }
  T sum = T(0);
  for (int j = 0; j < bins; ++j) sum += prob[j] = std::exp(prob[j] - top);
  const T inv_sum = T(1) / sum;  // one division, K products (within an ulp of nflows' p / sum)
  for (int j = 0; j < bins; ++j) prob[j] *= inv_sum;
  const T spread = T(1) - T(bins) * min_size;
  T cumulative = T(0);
  knots[0] = -bound;
  for (int j = 0; j < bins; ++j) {
    cumulative += min_size + spread * prob[j];
    knots[j + 1] = (T(2) * bound) * cumulative + (-bound);
  }
  knots[bins] = bound;
}

/// Bin index: (number of knots j with v >= knot_j) - 1, with 1e-6 added to the last knot (flows.md §1.5).
/// The clamp only matters in f32 with a large B, where B + 1e-6 rounds back to B and v = B would give K.
template <class T>
FLOWJET_HOST_DEVICE inline int search_bin(const T* knots, int bins, T v) {
  int count = 0;
  for (int j = 0; j < bins; ++j) count += v >= knots[j] ? 1 : 0;
  count += v >= knots[bins] + T(kSearchEpsilon) ? 1 : 0;
  count -= 1;
  return count < 0 ? 0 : (count > bins - 1 ? bins - 1 : count);
}

/// One inside element: its knots, its bin and where in the bin it sits.
template <class T, int K>
struct Element {
  T width_prob[capacity(K)], height_prob[capacity(K)];  // softmax of the scaled width / height logits
  T x[capacity(K) + 1], y[capacity(K) + 1];             // input-side / output-side knots
  int k;
  T x_left, width;    // x_k, Dx_k
  T y_left, height;   // y_k, Dy_k
  T d_left, d_right;  // d_k, d_{k+1}
  T d_left_slope, d_right_slope;  // d d_k / d logit (0 for the constant end derivatives)
  T slope;            // s_k = Dy_k / Dx_k
  T xi;               // position in the bin, in [0, 1]
};

/// Knots, bin and xi of an inside value v: forward xi = (x - x_k)/Dx; inverse xi = the stable root of
/// the quadratic a xi^2 + b xi + c = 0 that inverts y = y_k + Dy f(xi) (Durkan et al. 2019, appendix;
/// flows.md §1.7). Only the derivatives at the two ends of the bin are evaluated.
template <class T, int K>
FLOWJET_HOST_DEVICE inline void locate(const T* logits, T v, const Constants<T>& c, bool inverse, Element<T, K>& e) {
  const int bins = K > 0 ? K : c.bins;
  knots_from_logits(logits, bins, c.logit_scale, c.min_width, c.bound, e.width_prob, e.x);
  knots_from_logits(logits + bins, bins, c.logit_scale, c.min_height, c.bound, e.height_prob, e.y);
  const T* raw_derivatives = logits + 2 * bins;
  const int k = search_bin(inverse ? e.y : e.x, bins, v);
  e.k = k;
  e.x_left = e.x[k];
  e.width = e.x[k + 1] - e.x[k];
  e.y_left = e.y[k];
  e.height = e.y[k + 1] - e.y[k];
  e.d_left_slope = e.d_right_slope = T(0);
  // d_k = d_min + softplus(logit_{k-1}) at interior knots; the padded ends give end_derivative (§1.3).
  e.d_left = k == 0 ? c.end_derivative : derivative_from_logit(raw_derivatives[k - 1], c.min_derivative, &e.d_left_slope);
  e.d_right =
      k + 1 == bins ? c.end_derivative : derivative_from_logit(raw_derivatives[k], c.min_derivative, &e.d_right_slope);
  e.slope = e.height / e.width;
  if (!inverse) {
    e.xi = (v - e.x_left) / e.width;
    return;
  }
  const T r = v - e.y_left;
  const T beta = e.d_left + e.d_right - T(2) * e.slope;
  const T qa = r * beta + e.height * (e.slope - e.d_left);
  const T qb = e.height * e.d_left - r * beta;
  const T qc = -e.slope * r;
  // >= 0 mathematically; clamped against round-off where nflows asserts instead (README.md §10).
  T disc = qb * qb - T(4) * qa * qc;
  disc = disc > T(0) ? disc : T(0);
  e.xi = (T(2) * qc) / (-qb - std::sqrt(disc));
}

/// Inside the bin, with t = xi (1 - xi) and beta = d0 + d1 - 2s (Durkan et al. 2019, §3):
/// f = num/den = (s xi^2 + d0 t) / (s + beta t) is the position in the output bin (y = y_k + Dy f), and
/// dy/dx = s^2 N2 / den^2 with N2 = d1 xi^2 + 2 s t + d0 (1 - xi)^2.
template <class T>
struct BinValue {
  T num, den, logdet;  // logdet = log(dy/dx)
};

template <class T, int K>
FLOWJET_HOST_DEVICE inline BinValue<T> bin_value(const Element<T, K>& e) {
  const T xi = e.xi, s = e.slope, d0 = e.d_left, d1 = e.d_right;
  const T one_minus = T(1) - xi;
  const T t = xi * one_minus;
  const T den = s + (d0 + d1 - T(2) * s) * t;
  const T n2 = d1 * xi * xi + T(2) * s * t + d0 * one_minus * one_minus;
  // One log of the ratio instead of nflows' log(s^2 N2) - 2 log(den): equal up to rounding (a few ulp).
  return {s * xi * xi + d0 * t, den, std::log((s * s * n2) / (den * den))};
}

/// Output of one element and its log|det| (log|dy/dx| forward, log|dx/dy| inverse). Outside [-B, B]
/// (and for NaN, which fails both comparisons) the spline is the identity with log|det| = 0 (flows.md §1.4).
template <class T, int K>
FLOWJET_HOST_DEVICE inline T element_forward(const T* logits, T v, const Constants<T>& c, bool inverse, T* logabsdet) {
  if (!(v >= -c.bound && v <= c.bound)) {
    *logabsdet = T(0);
    return v;
  }
  Element<T, K> e;
  locate(logits, v, c, inverse, e);
  const BinValue<T> b = bin_value(e);
  if (!inverse) {
    *logabsdet = b.logdet;
    return e.y_left + (e.height * b.num) / b.den;  // y_k + (Dy num) / den, as nflows
  }
  *logabsdet = -b.logdet;
  return e.xi * e.width + e.x_left;
}

/// Partial derivatives of f and of L = log(dy/dx) w.r.t. xi, s, d0 = d_k and d1 = d_{k+1}
/// (quotient rule on f = num/den; L = 2 log s + log N2 - 2 log den; README.md §2).
template <class T>
struct BinPartials {
  T f, f_xi, f_s, f_d0, f_d1;
  T l_xi, l_s, l_d0, l_d1;
};

template <class T, int K>
FLOWJET_HOST_DEVICE inline BinPartials<T> bin_partials(const Element<T, K>& e) {
  const T xi = e.xi, s = e.slope, d0 = e.d_left, d1 = e.d_right;
  const T one_minus = T(1) - xi;
  const T t = xi * one_minus;
  const T dt_dxi = T(1) - T(2) * xi;
  const T beta = d0 + d1 - T(2) * s;
  const T den = s + beta * t;
  const T n2 = d1 * xi * xi + T(2) * s * t + d0 * one_minus * one_minus;
  const T inv_den = T(1) / den, inv_n2 = T(1) / n2;
  BinPartials<T> p;
  p.f = (s * xi * xi + d0 * t) * inv_den;
  p.f_xi = s * n2 * inv_den * inv_den;                    // s N2 / den^2
  p.f_s = (xi * xi - p.f * (T(1) - T(2) * t)) * inv_den;  // num_s = xi^2, den_s = 1 - 2t
  p.f_d0 = t * (T(1) - p.f) * inv_den;                    // num_d0 = den_d0 = t
  p.f_d1 = -p.f * t * inv_den;                            // num_d1 = 0, den_d1 = t
  p.l_xi = (T(2) * d1 * xi + T(2) * s * dt_dxi - T(2) * d0 * one_minus) * inv_n2 - T(2) * beta * dt_dxi * inv_den;
  p.l_s = T(2) / s + T(2) * t * inv_n2 - T(2) * (T(1) - T(2) * t) * inv_den;
  p.l_d0 = one_minus * one_minus * inv_n2 - T(2) * t * inv_den;
  p.l_d1 = xi * xi * inv_n2 - T(2) * t * inv_den;
  return p;
}

/// Gradients of the two knots k and k+1 of the bin -> gradients of the K logits, ADDED into grad_logits.
/// knot_m = 2B sum_{j<m} w_j - B for the interior knots m = 1..K-1 (the ends are constants, their gradient
/// is dropped), so dLoss/dw_j = 2B (g_k [j < k] + g_{k+1} [j < k+1]); dp = (1 - K w_min) dw; the softmax
/// backward is p_j (dp_j - sum_i p_i dp_i), and sum_i p_i dp_i needs only the prefix sums of p up to
/// k and k+1. Finally the logit scale (README.md §6).
template <class T>
FLOWJET_HOST_DEVICE inline void knots_backward(int k, T grad_left, T grad_right, const T* prob, int bins, T min_size,
                                               T bound, T logit_scale, T* grad_logits) {
  const T g_left = k >= 1 ? grad_left : T(0);
  const T g_right = k + 1 <= bins - 1 ? grad_right : T(0);
  const T to_prob = (T(1) - T(bins) * min_size) * (T(2) * bound);
  T below_left = T(0), below_right = T(0);  // sum_{j<k} p_j, sum_{j<=k} p_j
  for (int j = 0; j < bins; ++j) {
    below_left += j < k ? prob[j] : T(0);
    below_right += j <= k ? prob[j] : T(0);
  }
  const T dot = to_prob * (g_left * below_left + g_right * below_right);
  for (int j = 0; j < bins; ++j) {
    const T grad_prob = to_prob * ((j < k ? g_left : T(0)) + (j <= k ? g_right : T(0)));
    grad_logits[j] += logit_scale * (prob[j] * (grad_prob - dot));
  }
}

/// Backward of one element given the upstream gradients of its output and of its log|det|: returns
/// dLoss/dv and ADDS the gradients of its P logits into grad_logits (when not null). Recomputes the
/// knots, the bin and xi from the inputs (README.md §3-7). Tails: dLoss/dv = grad_out, no logit gradient.
template <class T, int K>
FLOWJET_HOST_DEVICE inline T element_backward(const T* logits, T v, T grad_out, T grad_logdet, const Constants<T>& c,
                                              bool inverse, T* grad_logits) {
  if (!(v >= -c.bound && v <= c.bound)) return grad_out;
  Element<T, K> e;
  locate(logits, v, c, inverse, e);
  const BinPartials<T> p = bin_partials(e);
  // Gradients w.r.t. the bin quantities xi, s, d_k, d_{k+1}, x_k, Dx, y_k, Dy and the input.
  T grad_xi, grad_s, grad_d0, grad_d1, grad_x_left, grad_width, grad_y_left, grad_height, grad_v;
  if (!inverse) {
    // y = y_k + Dy f(xi, s, d0, d1), logabsdet = L(xi, s, d0, d1), xi = (x - x_k) / Dx (README.md §3).
    const T scaled = grad_out * e.height;
    grad_xi = scaled * p.f_xi + grad_logdet * p.l_xi;
    grad_s = scaled * p.f_s + grad_logdet * p.l_s;
    grad_d0 = scaled * p.f_d0 + grad_logdet * p.l_d0;
    grad_d1 = scaled * p.f_d1 + grad_logdet * p.l_d1;
    grad_y_left = grad_out;
    grad_height = grad_out * p.f;
    grad_v = grad_xi / e.width;              // d xi / d x = 1/Dx
    grad_x_left = -grad_v;                   // d xi / d x_k = -1/Dx
    grad_width = -grad_v * e.xi;             // d xi / d Dx = -xi/Dx
  } else {
    // x = x_k + xi Dx, logabsdet = -L, with xi implicit in G = y_k + Dy f(xi, s, d0, d1) - y = 0:
    // d xi / du = -(dG/du) / (Dy f_xi) (implicit function theorem, README.md §4).
    grad_xi = grad_out * e.width - grad_logdet * p.l_xi;
    grad_s = -grad_logdet * p.l_s;
    grad_d0 = -grad_logdet * p.l_d0;
    grad_d1 = -grad_logdet * p.l_d1;
    grad_x_left = grad_out;
    grad_width = grad_out * e.xi;
    const T q = grad_xi / (e.height * p.f_xi);
    grad_v = q;                              // dG/dy = -1
    grad_y_left = -q;                        // dG/dy_k = 1
    grad_height = -q * p.f;                  // dG/dDy = f
    const T q_height = q * e.height;         // dG/du = Dy f_u for u = s, d0, d1
    grad_s -= q_height * p.f_s;
    grad_d0 -= q_height * p.f_d0;
    grad_d1 -= q_height * p.f_d1;
  }
  if (!grad_logits) return grad_v;
  const int bins = K > 0 ? K : c.bins;
  // s = Dy / Dx (README.md §5).
  grad_height += grad_s / e.width;
  grad_width -= grad_s * e.slope / e.width;
  // Dx = x_{k+1} - x_k and Dy = y_{k+1} - y_k give the two knots' gradients.
  knots_backward(e.k, grad_x_left - grad_width, grad_width, e.width_prob, bins, c.min_width, c.bound, c.logit_scale,
                 grad_logits);
  knots_backward(e.k, grad_y_left - grad_height, grad_height, e.height_prob, bins, c.min_height, c.bound,
                 c.logit_scale, grad_logits + bins);
  T* grad_raw_derivatives = grad_logits + 2 * bins;  // only interior knot derivatives have logits (README.md §7)
  if (e.k > 0) grad_raw_derivatives[e.k - 1] += grad_d0 * e.d_left_slope;
  if (e.k + 1 < bins) grad_raw_derivatives[e.k] += grad_d1 * e.d_right_slope;
  return grad_v;
}

}  // namespace rqs
}  // namespace flowjet
