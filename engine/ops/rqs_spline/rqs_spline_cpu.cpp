// CPU kernels of the rational-quadratic spline with linear tails (flows.md §1; nflows rational_quadratic.py).
// One element = one scalar with its own K widths, K heights, K-1 interior derivatives. The backward
// recomputes the knots, the bin and xi from the inputs; its derivation is in README.md next to this file.
#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/unary/logistic.h"

namespace flowjet {
namespace {

constexpr int64_t kGrain = 256;
constexpr double kSearchEpsilon = 1e-6;  // added to the last knot only in the bin search (flows.md §1.5)

template <class T>
T softplus_derivative(T t) {
  return t > T(20) ? T(1) : T(1) / (T(1) + std::exp(-t));  // d softplus / dt = sigmoid(t); 1 above the threshold
}

// The constants of one call, converted to T once.
template <class T>
struct SplineConstants {
  int bins;
  T bound;         // B
  T min_width, min_height, min_derivative;
  T end_derivative;  // d_0 = d_K = d_min + softplus(log(exp(1 - d_min) - 1)), i.e. 1 up to rounding (§1.3)

  explicit SplineConstants(const RqsSplineOptions& o)
      : bins(o.num_bins),
        bound(T(o.tail_bound)),
        min_width(T(o.min_bin_width)),
        min_height(T(o.min_bin_height)),
        min_derivative(T(o.min_derivative)),
        end_derivative(min_derivative + softplus_value(T(std::log(std::exp(1.0 - o.min_derivative) - 1.0)))) {}
};

// Knots of one element (flows.md §1.3); scratch reused across the elements of one chunk. The derivatives
// are not stored: only the two at the ends of the chosen bin are ever needed (see knot_derivative).
template <class T>
struct SplineKnots {
  std::vector<T> width_prob, height_prob;  // softmax of the raw widths / heights: [K]
  std::vector<T> x, y;                     // input-side / output-side knots: [K+1]

  explicit SplineKnots(int bins) : width_prob(bins), height_prob(bins), x(bins + 1), y(bins + 1) {}
};

// softmax -> min size -> cumsum with leading 0 -> map to [-B, B] -> exact ends (flows.md §1.3 steps 1-5).
template <class T>
void sizes_to_knots(const T* raw, int bins, T min_size, T bound, T* prob, T* knots) {
  T max_raw = raw[0];
  for (int j = 1; j < bins; ++j) max_raw = std::max(max_raw, raw[j]);
  T sum = T(0);
  for (int j = 0; j < bins; ++j) sum += prob[j] = std::exp(raw[j] - max_raw);
  for (int j = 0; j < bins; ++j) prob[j] /= sum;
  const T scale = T(1) - T(bins) * min_size;
  T cumulative = T(0);
  knots[0] = -bound;
  for (int j = 0; j < bins; ++j) {
    cumulative += min_size + scale * prob[j];
    knots[j + 1] = (T(2) * bound) * cumulative + (-bound);  // multiply first, then add -B, as nflows
  }
  knots[bins] = bound;
}

template <class T>
void compute_knots(const T* raw_widths, const T* raw_heights, const SplineConstants<T>& c, SplineKnots<T>& knots) {
  sizes_to_knots(raw_widths, c.bins, c.min_width, c.bound, knots.width_prob.data(), knots.x.data());
  sizes_to_knots(raw_heights, c.bins, c.min_height, c.bound, knots.height_prob.data(), knots.y.data());
}

// d_k = d_min + softplus(raw_{k-1}) at interior knots; the padded ends give the constant end_derivative (§1.3).
template <class T>
T knot_derivative(const T* raw_derivatives, int k, const SplineConstants<T>& c) {
  return k == 0 || k == c.bins ? c.end_derivative : c.min_derivative + softplus_value(raw_derivatives[k - 1]);
}

// Bin index: (number of knots j with v >= knot_j) - 1, with 1e-6 added to the last knot (flows.md §1.5).
// The clamp only matters in f32 with a large B, where B + 1e-6 rounds back to B and v = B would give K.
template <class T>
int search_bin(const std::vector<T>& knots, int bins, T v) {
  int count = 0;
  for (int j = 0; j < bins; ++j) count += v >= knots[j] ? 1 : 0;
  count += v >= knots[bins] + T(kSearchEpsilon) ? 1 : 0;
  return std::min(std::max(count - 1, 0), bins - 1);
}

// The bin of one inside value and where in it the point sits.
template <class T>
struct BinState {
  int k;
  T x_left, width;    // x_k, Dx_k
  T y_left, height;   // y_k, Dy_k
  T d_left, d_right;  // d_k, d_{k+1}
  T slope;            // s_k = Dy_k / Dx_k
  T xi;               // position in the bin, in [0, 1]
};

template <class T>
BinState<T> bin_state(const SplineKnots<T>& knots, const T* raw_derivatives, const SplineConstants<T>& c, int k) {
  BinState<T> b;
  b.k = k;
  b.x_left = knots.x[k];
  b.width = knots.x[k + 1] - knots.x[k];
  b.y_left = knots.y[k];
  b.height = knots.y[k + 1] - knots.y[k];
  b.d_left = knot_derivative(raw_derivatives, k, c);
  b.d_right = knot_derivative(raw_derivatives, k + 1, c);
  b.slope = b.height / b.width;
  b.xi = T(0);
  return b;
}

// Locates v in its bin: forward xi = (x - x_k)/Dx; inverse xi = the stable root of the quadratic (§1.7).
template <class T>
BinState<T> locate(const SplineKnots<T>& knots, const T* raw_derivatives, const SplineConstants<T>& c, T v,
                   bool inverse) {
  if (!inverse) {
    BinState<T> b = bin_state(knots, raw_derivatives, c, search_bin(knots.x, c.bins, v));
    b.xi = (v - b.x_left) / b.width;
    return b;
  }
  BinState<T> b = bin_state(knots, raw_derivatives, c, search_bin(knots.y, c.bins, v));
  const T r = v - b.y_left;
  const T beta = b.d_left + b.d_right - T(2) * b.slope;
  const T qa = r * beta + b.height * (b.slope - b.d_left);
  const T qb = b.height * b.d_left - r * beta;
  const T qc = -b.slope * r;
  // >= 0 mathematically; clamped against round-off where nflows asserts instead (documented deviation).
  const T disc = std::max(qb * qb - T(4) * qa * qc, T(0));
  b.xi = (T(2) * qc) / (-qb - std::sqrt(disc));
  return b;
}

// f = (s xi^2 + d_k t)/den (the output position in the bin, y = y_k + Dy f) and L = log dy/dx (§1.6),
// with their partial derivatives w.r.t. xi, s, d_k (d0) and d_{k+1} (d1) for the backward.
template <class T>
struct LocalTerms {
  T num, den;  // f = num / den
  T f, f_xi, f_s, f_d0, f_d1;
  T logdet, logdet_xi, logdet_s, logdet_d0, logdet_d1;
};

template <class T>
LocalTerms<T> local_terms(const BinState<T>& b, bool with_partials) {
  const T xi = b.xi, s = b.slope, d0 = b.d_left, d1 = b.d_right;
  const T one_minus = T(1) - xi;
  const T t = xi * one_minus;
  const T beta = d0 + d1 - T(2) * s;
  const T den = s + beta * t;
  const T slope_num = d1 * xi * xi + T(2) * s * t + d0 * one_minus * one_minus;  // N2 in README.md
  LocalTerms<T> r{};
  r.num = s * xi * xi + d0 * t;
  r.den = den;
  r.f = r.num / den;
  r.logdet = std::log(s * s * slope_num) - T(2) * std::log(den);  // log(num) - 2 log(den), as nflows
  if (!with_partials) return r;
  const T dt_dxi = T(1) - T(2) * xi;
  r.f_xi = s * slope_num / (den * den);  // df/dxi = s N2 / den^2 (so dy/dx = s^2 N2 / den^2)
  r.f_s = (xi * xi - r.f * (T(1) - T(2) * t)) / den;  // d/ds: num_s = xi^2, den_s = 1 - 2t
  r.f_d0 = t * (T(1) - r.f) / den;                    // d/dd0: num_d0 = t, den_d0 = t
  r.f_d1 = -r.f * t / den;                            // d/dd1: num_d1 = 0, den_d1 = t
  const T inv_n2 = T(1) / slope_num, inv_den = T(1) / den;
  r.logdet_xi = (T(2) * d1 * xi + T(2) * s * dt_dxi - T(2) * d0 * one_minus) * inv_n2 - T(2) * beta * dt_dxi * inv_den;
  r.logdet_s = T(2) / s + T(2) * t * inv_n2 - T(2) * (T(1) - T(2) * t) * inv_den;
  r.logdet_d0 = one_minus * one_minus * inv_n2 - T(2) * t * inv_den;
  r.logdet_d1 = xi * xi * inv_n2 - T(2) * t * inv_den;
  return r;
}

// Knot gradients -> raw size gradients: x_j = 2B cumsum(w)_j - B for interior j (ends are constants),
// w = w_min + (1 - K w_min) softmax(raw). ADDS into grad_raw.
template <class T>
void knots_backward(const T* grad_knots, const T* prob, int bins, T min_size, T bound, T* grad_prob, T* grad_raw) {
  const T scale = T(1) - T(bins) * min_size;
  // dL/dw_j = 2B * sum_{k=j+1}^{K-1} dL/dknot_k (suffix sum over the interior knots after j); then dp = scale dw.
  T suffix = T(0);
  for (int j = bins - 1; j >= 0; --j) {
    if (j + 1 <= bins - 1) suffix += grad_knots[j + 1];
    grad_prob[j] = scale * T(2) * bound * suffix;
  }
  // softmax backward w.r.t. raw: p_j (dp_j - sum_i p_i dp_i).
  T dot = T(0);
  for (int j = 0; j < bins; ++j) dot += prob[j] * grad_prob[j];
  for (int j = 0; j < bins; ++j) grad_raw[j] += prob[j] * (grad_prob[j] - dot);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// forward
// ---------------------------------------------------------------------------------------------

template <class T>
void rqs_spline_forward_cpu(const T* inputs, const T* unnormalized_widths, const T* unnormalized_heights,
                            const T* unnormalized_derivatives, int64_t count, const RqsSplineOptions& options,
                            bool inverse, T* outputs, T* logabsdet) {
  const SplineConstants<T> c(options);
  const int64_t bins = c.bins;
  parallel_for(count, kGrain, [&](int64_t begin, int64_t end) {
    SplineKnots<T> knots(c.bins);
    for (int64_t i = begin; i < end; ++i) {
      const T v = inputs[i];
      if (!(v >= -c.bound && v <= c.bound)) {  // tails (and NaN): identity, log|det| = 0 (§1.4)
        outputs[i] = v;
        logabsdet[i] = T(0);
        continue;
      }
      compute_knots(unnormalized_widths + i * bins, unnormalized_heights + i * bins, c, knots);
      const BinState<T> b = locate(knots, unnormalized_derivatives + i * (bins - 1), c, v, inverse);
      const LocalTerms<T> l = local_terms(b, false);
      if (!inverse) {
        outputs[i] = b.y_left + (b.height * l.num) / l.den;  // y_k + (Dy num) / den, as nflows
        logabsdet[i] = l.logdet;
      } else {
        outputs[i] = b.xi * b.width + b.x_left;
        logabsdet[i] = -l.logdet;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// backward (derivation: README.md)
// ---------------------------------------------------------------------------------------------

template <class T>
void rqs_spline_backward_cpu(const T* inputs, const T* unnormalized_widths, const T* unnormalized_heights,
                             const T* unnormalized_derivatives, const T* grad_outputs, const T* grad_logabsdet,
                             int64_t count, const RqsSplineOptions& options, bool inverse, T* grad_inputs,
                             T* grad_widths, T* grad_heights, T* grad_derivatives) {
  const SplineConstants<T> c(options);
  const int64_t bins = c.bins;
  parallel_for(count, kGrain, [&](int64_t begin, int64_t end) {
    SplineKnots<T> knots(c.bins);
    std::vector<T> grad_x_knots(static_cast<std::size_t>(bins + 1)), grad_y_knots(grad_x_knots.size()),
        grad_prob(static_cast<std::size_t>(bins));
    for (int64_t i = begin; i < end; ++i) {
      const T v = inputs[i];
      const T grad_out = grad_outputs[i], grad_logdet = grad_logabsdet[i];
      if (!(v >= -c.bound && v <= c.bound)) {  // tails: d out / d v = 1, no parameter gradient
        if (grad_inputs) grad_inputs[i] += grad_out;
        continue;
      }
      const T* raw_widths = unnormalized_widths + i * bins;
      const T* raw_heights = unnormalized_heights + i * bins;
      const T* raw_derivatives = unnormalized_derivatives + i * (bins - 1);
      compute_knots(raw_widths, raw_heights, c, knots);
      const BinState<T> b = locate(knots, raw_derivatives, c, v, inverse);
      const LocalTerms<T> l = local_terms(b, true);

      // Gradients w.r.t. the local variables xi, s, d_k, d_{k+1}, x_k, Dx, y_k, Dy and the input.
      T grad_xi, grad_s, grad_d0, grad_d1, grad_x_left, grad_width, grad_y_left, grad_height, grad_v;
      if (!inverse) {
        // outputs y = y_k + Dy f(xi, s, d0, d1), logabsdet = L(xi, s, d0, d1), xi = (x - x_k) / Dx
        const T scaled = grad_out * b.height;
        grad_xi = scaled * l.f_xi + grad_logdet * l.logdet_xi;
        grad_s = scaled * l.f_s + grad_logdet * l.logdet_s;
        grad_d0 = scaled * l.f_d0 + grad_logdet * l.logdet_d0;
        grad_d1 = scaled * l.f_d1 + grad_logdet * l.logdet_d1;
        grad_y_left = grad_out;
        grad_height = grad_out * l.f;
        grad_v = grad_xi / b.width;                 // d xi / d x = 1/Dx
        grad_x_left = -grad_v;                      // d xi / d x_k = -1/Dx
        grad_width = -grad_xi * b.xi / b.width;     // d xi / d Dx = -xi/Dx
      } else {
        // outputs x = x_k + xi Dx, logabsdet = -L(xi, s, d0, d1), with xi(y, theta) defined implicitly by
        // y_k + Dy f(xi, s, d0, d1) - y = 0: d xi/dy = 1/(Dy f_xi), d xi/d theta = -(dG/d theta)/(Dy f_xi).
        grad_xi = grad_out * b.width - grad_logdet * l.logdet_xi;
        grad_s = -grad_logdet * l.logdet_s;
        grad_d0 = -grad_logdet * l.logdet_d0;
        grad_d1 = -grad_logdet * l.logdet_d1;
        grad_x_left = grad_out;
        grad_width = grad_out * b.xi;
        const T q = grad_xi / (b.height * l.f_xi);  // dL/dy through xi
        grad_v = q;
        grad_y_left = -q;                           // dG/dy_k = 1
        grad_height = -q * l.f;                     // dG/dDy = f
        grad_s -= q * b.height * l.f_s;             // dG/ds = Dy f_s, likewise for d0, d1
        grad_d0 -= q * b.height * l.f_d0;
        grad_d1 -= q * b.height * l.f_d1;
      }
      if (grad_inputs) grad_inputs[i] += grad_v;
      // s = Dy / Dx
      grad_height += grad_s / b.width;
      grad_width -= grad_s * b.slope / b.width;
      // Dx = x_{k+1} - x_k, Dy = y_{k+1} - y_k.
      std::fill(grad_x_knots.begin(), grad_x_knots.end(), T(0));
      std::fill(grad_y_knots.begin(), grad_y_knots.end(), T(0));
      grad_x_knots[b.k] = grad_x_left - grad_width;
      grad_x_knots[b.k + 1] = grad_width;
      grad_y_knots[b.k] = grad_y_left - grad_height;
      grad_y_knots[b.k + 1] = grad_height;
      if (grad_widths)
        knots_backward(grad_x_knots.data(), knots.width_prob.data(), c.bins, c.min_width, c.bound,
                       grad_prob.data(), grad_widths + i * bins);
      if (grad_heights)
        knots_backward(grad_y_knots.data(), knots.height_prob.data(), c.bins, c.min_height, c.bound,
                       grad_prob.data(), grad_heights + i * bins);
      // d_k = d_min + softplus(raw_{k-1}) for interior k, d/draw = softplus'; the end derivatives are constants.
      if (grad_derivatives) {
        T* grad_raw = grad_derivatives + i * (bins - 1);
        if (b.k > 0) grad_raw[b.k - 1] += grad_d0 * softplus_derivative(raw_derivatives[b.k - 1]);
        if (b.k + 1 < c.bins) grad_raw[b.k] += grad_d1 * softplus_derivative(raw_derivatives[b.k]);
      }
    }
  });
}

template void rqs_spline_forward_cpu<float>(const float*, const float*, const float*, const float*, int64_t,
                                            const RqsSplineOptions&, bool, float*, float*);
template void rqs_spline_forward_cpu<double>(const double*, const double*, const double*, const double*, int64_t,
                                             const RqsSplineOptions&, bool, double*, double*);
template void rqs_spline_backward_cpu<float>(const float*, const float*, const float*, const float*, const float*,
                                             const float*, int64_t, const RqsSplineOptions&, bool, float*, float*,
                                             float*, float*);
template void rqs_spline_backward_cpu<double>(const double*, const double*, const double*, const double*,
                                              const double*, const double*, int64_t, const RqsSplineOptions&, bool,
                                              double*, double*, double*, double*);

}  // namespace flowjet
