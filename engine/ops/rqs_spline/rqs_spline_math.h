// The per-element mathematics of the rational-quadratic spline with linear tails, written once for the
// CPU kernels (rqs_spline_cpu_body.h) and the CUDA kernels (rqs_spline_cuda.cu): knots from the raw logits,
// the bin search, the forward and inverse evaluation with log|det|, and the backward through all of it.
// Source: Durkan et al. 2019, "Neural Spline Flows"; the exact semantics are nflows'
// unconstrained_rational_quadratic_spline(tails="linear") (flow-model.md §1). README.md derives the backward.
//
// One element = one scalar v with its own P = 3K-1 packed logits, laid out as the coupling layer's
// conditioner writes them: [K width logits, K height logits, K-1 derivative logits].
// K is a template argument: K > 0 fixes the bin count at compile time (the loops unroll, the scratch
// arrays are exactly K long); K = 0 takes it from Constants::bins, with arrays of kMaxBins.
//
// The value type V is either the scalar T (CUDA: one thread per element; the CPU's generic kernel) or a
// vector of T holding one element per lane (the CPU's SIMD kernels, rqs_spline_lanes.h). So the code has
// no branch on data: the bin search is a compare-and-select chain, the tails and the softplus threshold
// are selects, and a comparison gives a lane mask (bool for a scalar). The unqualified calls exp, log,
// log1p, sqrt and select resolve to the scalar functions below or, by argument-dependent lookup, to the
// vector type's own. For a scalar the selects compute both sides, which costs the tails the spline's work.
#pragma once

#include <cmath>

#include "engine/core/host_device.h"

namespace flowjet {
namespace rqs {

using std::exp;
using std::log;
using std::log1p;
using std::sqrt;

/// m ? a : b, the scalar form of the vector types' lane-wise select.
template <class T>
FLOWJET_HOST_DEVICE inline T select(bool m, T a, T b) {
  return m ? a : b;
}

/// The most bins an element may have (the size of the run-time-K scratch arrays, per element).
constexpr int kMaxBins = 64;

/// The constants of one call, converted to T once on the host.
template <class T>
struct Constants {
  int bins;            // K
  T bound;             // B: the spline acts on [-B, B], identity outside
  T min_width, min_height, min_derivative;
  T end_derivative;    // d_0 = d_K (flow-model.md §1.3): 1 up to rounding
  T logit_scale;       // multiplies the width and height logits (1/sqrt(H) in nflows' coupling layer)
};

FLOWJET_HOST_DEVICE constexpr int capacity(int K) { return K > 0 ? K : kMaxBins; }

/// Logits of one element; P = 3K-1 values.
FLOWJET_HOST_DEVICE constexpr int params_per_element(int bins) { return 3 * bins - 1; }

/// d = d_min + softplus(raw) with PyTorch's softplus (raw itself above the threshold 20, else
/// log1p(exp(raw))); *slope = dd/draw = sigmoid(raw), 1 above the threshold. One exp serves both; above
/// the threshold it is taken of 0, so that no lane overflows.
template <class V, class T>
FLOWJET_HOST_DEVICE inline V derivative_from_logit(V raw, T min_derivative, V* slope) {
  const auto linear = raw > V(20);
  const V e = exp(select(linear, V(0), raw));
  *slope = select(linear, V(1), e / (V(1) + e));
  return min_derivative + select(linear, raw, log1p(e));
}

/// flow-model.md §1.3 steps 1-5: p = softmax(scale * logits); sizes w = w_min + (1 - K w_min) p; knots are the
/// cumulative sums from 0 mapped to [-B, B] (multiply by 2B first, then add -B, as nflows); the end knots
/// are set to exactly -B and B. Writes p [K] and the knots [K+1].
template <class V, class T>
FLOWJET_HOST_DEVICE inline void knots_from_logits(const V* logits, int bins, T logit_scale, T min_size, T bound, V* prob,
                                                  V* knots) {
  V top = logits[0] * logit_scale;
  for (int j = 0; j < bins; ++j) {
    prob[j] = logits[j] * logit_scale;
    top = select(prob[j] > top, prob[j], top);
  }
  V sum = V(0);
  for (int j = 0; j < bins; ++j) sum += prob[j] = exp(prob[j] - top);
  const V inv_sum = V(1) / sum;  // one division, K products (within an ulp of nflows' p / sum)
  for (int j = 0; j < bins; ++j) prob[j] *= inv_sum;
  const T spread = T(1) - T(bins) * min_size;
  V cumulative = V(0);
  knots[0] = V(-bound);
  for (int j = 0; j < bins; ++j) {
    cumulative += min_size + spread * prob[j];
    knots[j + 1] = (T(2) * bound) * cumulative + (-bound);
  }
  knots[bins] = V(bound);
}

/// One inside element: its bin and where in the bin it sits.
template <class V, int K>
struct Element {
  V width_prob[capacity(K)], height_prob[capacity(K)];  // softmax of the scaled width / height logits
  V k;                // the bin index, an exact small integer held as a value (one per lane)
  V x_left, width;    // x_k, Dx_k
  V y_left, height;   // y_k, Dy_k
  V d_left, d_right;  // d_k, d_{k+1}
  V d_left_slope, d_right_slope;  // d d_k / d logit (0 for the constant end derivatives)
  V slope;            // s_k = Dy_k / Dx_k
  V xi;               // position in the bin, in [0, 1]
};

/// Knots, bin and xi of an inside value v: forward xi = (x - x_k)/Dx; inverse xi = the stable root of
/// the quadratic a xi^2 + b xi + c = 0 that inverts y = y_k + Dy f(xi) (Durkan et al. 2019, appendix;
/// flow-model.md §1.7). Only the derivatives at the two ends of the bin are evaluated.
/// The bin: nflows counts the knots j with v >= knot_j (1e-6 added to the last knot, flow-model.md §1.5) and
/// subtracts 1. For v in [-B, B] the first knot always counts and the last one only when all others do
/// (the knots do not decrease, rounding included), so after the clamp to [0, K-1] the bin is the last
/// interior knot j = 1..K-1 with v >= knot_j, or 0: a chain of selects that also picks the bin's knots.
template <class V, int K, class T>
FLOWJET_HOST_DEVICE inline void locate(const V* logits, V v, const Constants<T>& c, bool inverse, Element<V, K>& e) {
  const int bins = K > 0 ? K : c.bins;
  V x[capacity(K) + 1], y[capacity(K) + 1];
  knots_from_logits(logits, bins, c.logit_scale, c.min_width, c.bound, e.width_prob, x);
  knots_from_logits(logits + bins, bins, c.logit_scale, c.min_height, c.bound, e.height_prob, y);
  const V* search = inverse ? y : x;
  // d_k = d_min + softplus(logit_{k-1}) at interior knots; the padded ends give end_derivative (§1.3).
  const V* raw_derivatives = logits + 2 * bins;
  V k = V(0), x_right = x[1], y_right = y[1];
  V raw_left = V(0), raw_right = bins > 1 ? raw_derivatives[0] : V(0);  // logits of d_k and d_{k+1}
  e.x_left = x[0];
  e.y_left = y[0];
  for (int j = 1; j < bins; ++j) {
    const auto in_bin_j_or_above = v >= search[j];
    k = select(in_bin_j_or_above, V(T(j)), k);
    e.x_left = select(in_bin_j_or_above, x[j], e.x_left);
    x_right = select(in_bin_j_or_above, x[j + 1], x_right);
    e.y_left = select(in_bin_j_or_above, y[j], e.y_left);
    y_right = select(in_bin_j_or_above, y[j + 1], y_right);
    raw_left = select(in_bin_j_or_above, raw_derivatives[j - 1], raw_left);
    if (j + 1 < bins) raw_right = select(in_bin_j_or_above, raw_derivatives[j], raw_right);
  }
  e.k = k;
  e.width = x_right - e.x_left;
  e.height = y_right - e.y_left;
  const auto first = k == V(0), last = k == V(T(bins - 1));
  e.d_left = select(first, V(c.end_derivative), derivative_from_logit(raw_left, c.min_derivative, &e.d_left_slope));
  e.d_left_slope = select(first, V(0), e.d_left_slope);
  e.d_right = select(last, V(c.end_derivative), derivative_from_logit(raw_right, c.min_derivative, &e.d_right_slope));
  e.d_right_slope = select(last, V(0), e.d_right_slope);
  e.slope = e.height / e.width;
  if (!inverse) {
    e.xi = (v - e.x_left) / e.width;
    return;
  }
  const V r = v - e.y_left;
  const V beta = e.d_left + e.d_right - T(2) * e.slope;
  const V qa = r * beta + e.height * (e.slope - e.d_left);
  const V qb = e.height * e.d_left - r * beta;
  const V qc = -e.slope * r;
  // >= 0 mathematically; clamped against round-off where nflows asserts instead (README.md §10).
  V disc = qb * qb - T(4) * qa * qc;
  disc = select(disc > V(0), disc, V(0));
  e.xi = (T(2) * qc) / (-qb - sqrt(disc));
}

/// Inside the bin, with t = xi (1 - xi) and beta = d0 + d1 - 2s (Durkan et al. 2019, §3):
/// f = num/den = (s xi^2 + d0 t) / (s + beta t) is the position in the output bin (y = y_k + Dy f), and
/// dy/dx = s^2 N2 / den^2 with N2 = d1 xi^2 + 2 s t + d0 (1 - xi)^2.
template <class V>
struct BinValue {
  V num, den, logdet;  // logdet = log(dy/dx)
};

template <class V, int K>
FLOWJET_HOST_DEVICE inline BinValue<V> bin_value(const Element<V, K>& e) {
  const V xi = e.xi, s = e.slope, d0 = e.d_left, d1 = e.d_right;
  const V one_minus = V(1) - xi;
  const V t = xi * one_minus;
  const V den = s + (d0 + d1 - V(2) * s) * t;
  const V n2 = d1 * xi * xi + V(2) * s * t + d0 * one_minus * one_minus;
  // One log of the ratio instead of nflows' log(s^2 N2) - 2 log(den): equal up to rounding (a few ulp).
  return {s * xi * xi + d0 * t, den, log((s * s * n2) / (den * den))};
}

/// Whether v is inside [-B, B], where the spline acts; false for NaN, which fails both comparisons.
/// Outside, the spline is the identity with log|det| = 0 (flow-model.md §1.4); the lanes there evaluate the
/// spline at 0 instead (any inside value would do) and their results are replaced by the tail's.
template <class V, class T>
FLOWJET_HOST_DEVICE inline auto inside(V v, const Constants<T>& c) {
  return (v >= V(-c.bound)) & (v <= V(c.bound));
}

/// Output of one element and its log|det| (log|dy/dx| forward, log|dx/dy| inverse).
template <class V, int K, class T>
FLOWJET_HOST_DEVICE inline V element_forward(const V* logits, V v, const Constants<T>& c, bool inverse, V* logabsdet) {
  const auto in = inside(v, c);
  Element<V, K> e;
  locate(logits, select(in, v, V(0)), c, inverse, e);
  const BinValue<V> b = bin_value(e);
  *logabsdet = select(in, inverse ? -b.logdet : b.logdet, V(0));
  const V out = inverse ? e.xi * e.width + e.x_left
                        : e.y_left + (e.height * b.num) / b.den;  // y_k + (Dy num) / den, as nflows
  return select(in, out, v);
}

/// Partial derivatives of f and of L = log(dy/dx) w.r.t. xi, s, d0 = d_k and d1 = d_{k+1}
/// (quotient rule on f = num/den; L = 2 log s + log N2 - 2 log den; README.md §2).
template <class V>
struct BinPartials {
  V f, f_xi, f_s, f_d0, f_d1;
  V l_xi, l_s, l_d0, l_d1;
};

template <class V, int K>
FLOWJET_HOST_DEVICE inline BinPartials<V> bin_partials(const Element<V, K>& e) {
  const V xi = e.xi, s = e.slope, d0 = e.d_left, d1 = e.d_right;
  const V one_minus = V(1) - xi;
  const V t = xi * one_minus;
  const V dt_dxi = V(1) - V(2) * xi;
  const V beta = d0 + d1 - V(2) * s;
  const V den = s + beta * t;
  const V n2 = d1 * xi * xi + V(2) * s * t + d0 * one_minus * one_minus;
  const V inv_den = V(1) / den, inv_n2 = V(1) / n2;
  BinPartials<V> p;
  p.f = (s * xi * xi + d0 * t) * inv_den;
  p.f_xi = s * n2 * inv_den * inv_den;                    // s N2 / den^2
  p.f_s = (xi * xi - p.f * (V(1) - V(2) * t)) * inv_den;  // num_s = xi^2, den_s = 1 - 2t
  p.f_d0 = t * (V(1) - p.f) * inv_den;                    // num_d0 = den_d0 = t
  p.f_d1 = -p.f * t * inv_den;                            // num_d1 = 0, den_d1 = t
  p.l_xi = (V(2) * d1 * xi + V(2) * s * dt_dxi - V(2) * d0 * one_minus) * inv_n2 - V(2) * beta * dt_dxi * inv_den;
  p.l_s = V(2) / s + V(2) * t * inv_n2 - V(2) * (V(1) - V(2) * t) * inv_den;
  p.l_d0 = one_minus * one_minus * inv_n2 - V(2) * t * inv_den;
  p.l_d1 = xi * xi * inv_n2 - V(2) * t * inv_den;
  return p;
}

/// Gradients of the two knots k and k+1 of the bin -> gradients of the K logits, WRITTEN to grad_logits.
/// knot_m = 2B sum_{j<m} w_j - B for the interior knots m = 1..K-1 (the ends are constants, their gradient
/// is dropped), so dLoss/dw_j = 2B (g_k [j < k] + g_{k+1} [j < k+1]); dp = (1 - K w_min) dw; the softmax
/// backward is p_j (dp_j - sum_i p_i dp_i), and sum_i p_i dp_i needs only the prefix sums of p up to
/// k and k+1. Finally the logit scale (README.md §6).
template <class V, class T>
FLOWJET_HOST_DEVICE inline void knots_backward(V k, V grad_left, V grad_right, const V* prob, int bins, T min_size,
                                               T bound, T logit_scale, V* grad_logits) {
  const V g_left = select(k >= V(1), grad_left, V(0));
  const V g_right = select(k + V(1) <= V(T(bins - 1)), grad_right, V(0));
  const T to_prob = (T(1) - T(bins) * min_size) * (T(2) * bound);
  V below_left = V(0), below_right = V(0);  // sum_{j<k} p_j, sum_{j<=k} p_j
  for (int j = 0; j < bins; ++j) {
    below_left += select(V(T(j)) < k, prob[j], V(0));
    below_right += select(V(T(j)) <= k, prob[j], V(0));
  }
  const V dot = to_prob * (g_left * below_left + g_right * below_right);
  for (int j = 0; j < bins; ++j) {
    const V grad_prob = to_prob * (select(V(T(j)) < k, g_left, V(0)) + select(V(T(j)) <= k, g_right, V(0)));
    grad_logits[j] = logit_scale * (prob[j] * (grad_prob - dot));
  }
}

/// Backward of one element given the upstream gradients of its output and of its log|det|: returns
/// dLoss/dv and WRITES the gradients of its P logits to grad_logits (when not null; the caller adds
/// them up). Recomputes the knots, the bin and xi from the inputs (README.md §3-7). Tails: dLoss/dv =
/// grad_out, zero logit gradients.
template <class V, int K, class T>
FLOWJET_HOST_DEVICE inline V element_backward(const V* logits, V v, V grad_out, V grad_logdet, const Constants<T>& c,
                                              bool inverse, V* grad_logits) {
  const auto in = inside(v, c);
  Element<V, K> e;
  locate(logits, select(in, v, V(0)), c, inverse, e);
  const BinPartials<V> p = bin_partials(e);
  // Gradients w.r.t. the bin quantities xi, s, d_k, d_{k+1}, x_k, Dx, y_k, Dy and the input.
  V grad_xi, grad_s, grad_d0, grad_d1, grad_x_left, grad_width, grad_y_left, grad_height, grad_v;
  if (!inverse) {
    // y = y_k + Dy f(xi, s, d0, d1), logabsdet = L(xi, s, d0, d1), xi = (x - x_k) / Dx (README.md §3).
    const V scaled = grad_out * e.height;
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
    const V q = grad_xi / (e.height * p.f_xi);
    grad_v = q;                              // dG/dy = -1
    grad_y_left = -q;                        // dG/dy_k = 1
    grad_height = -q * p.f;                  // dG/dDy = f
    const V q_height = q * e.height;         // dG/du = Dy f_u for u = s, d0, d1
    grad_s -= q_height * p.f_s;
    grad_d0 -= q_height * p.f_d0;
    grad_d1 -= q_height * p.f_d1;
  }
  if (grad_logits) {
    const int bins = K > 0 ? K : c.bins;
    // s = Dy / Dx (README.md §5).
    grad_height += grad_s / e.width;
    grad_width -= grad_s * e.slope / e.width;
    // Dx = x_{k+1} - x_k and Dy = y_{k+1} - y_k give the two knots' gradients.
    knots_backward(e.k, grad_x_left - grad_width, grad_width, e.width_prob, bins, c.min_width, c.bound, c.logit_scale,
                   grad_logits);
    knots_backward(e.k, grad_y_left - grad_height, grad_height, e.height_prob, bins, c.min_height, c.bound,
                   c.logit_scale, grad_logits + bins);
    // Only interior knot derivatives have logits (README.md §7): d_k has logit k-1, d_{k+1} logit k.
    V* grad_raw_derivatives = grad_logits + 2 * bins;
    for (int j = 0; j + 1 < bins; ++j)
      grad_raw_derivatives[j] = select(e.k == V(T(j + 1)), grad_d0 * e.d_left_slope, V(0)) +
                                select(e.k == V(T(j)), grad_d1 * e.d_right_slope, V(0));
    for (int j = 0; j < params_per_element(bins); ++j) grad_logits[j] = select(in, grad_logits[j], V(0));
  }
  return select(in, grad_v, grad_out);
}

}  // namespace rqs
}  // namespace flowjet
