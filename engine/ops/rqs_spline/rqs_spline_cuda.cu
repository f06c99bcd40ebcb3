// CUDA kernels of the rational-quadratic spline with linear tails (flows.md §1; nflows rational_quadratic.py):
// one thread per element, its knots in registers/local memory, the same steps and formulas as
// rqs_spline_cpu.cpp (whose comments and README.md give the sources and the derivation of the backward).
#include <cmath>
#include <string>

#include "engine/backend/cuda/launch.cuh"
#include "engine/core/error.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/unary/logistic.h"

namespace flowjet {
namespace {

constexpr int kMaxBins = 64;  // local-memory arrays per thread; the talk's models use 8-16 bins
constexpr double kSearchEpsilon = 1e-6;

template <class T>
__device__ T softplus_derivative(T t) {
  return t > T(20) ? T(1) : T(1) / (T(1) + exp(-t));  // sigmoid(t)
}

// The constants of one call, converted to T once on the host.
template <class T>
struct Constants {
  int bins;
  T bound, min_width, min_height, min_derivative, end_derivative;
};

template <class T>
Constants<T> make_constants(const RqsSplineOptions& o) {
  const T min_derivative = T(o.min_derivative);
  const T raw_end = T(std::log(std::exp(1.0 - o.min_derivative) - 1.0));
  // d_0 = d_K = d_min + softplus(log(exp(1 - d_min) - 1)) (flows.md §1.3), softplus evaluated in T as the CPU does.
  const T end = min_derivative + softplus_value(raw_end);
  return {o.num_bins, T(o.tail_bound), T(o.min_bin_width), T(o.min_bin_height), min_derivative, end};
}

// softmax -> min size -> cumsum with leading 0 -> map to [-B, B] -> exact ends (flows.md §1.3 steps 1-5).
template <class T>
__device__ void sizes_to_knots(const T* raw, int bins, T min_size, T bound, T* prob, T* knots) {
  T max_raw = raw[0];
  for (int j = 1; j < bins; ++j) max_raw = max(max_raw, raw[j]);
  T sum = T(0);
  for (int j = 0; j < bins; ++j) sum += prob[j] = exp(raw[j] - max_raw);
  for (int j = 0; j < bins; ++j) prob[j] /= sum;
  const T scale = T(1) - T(bins) * min_size;
  T cumulative = T(0);
  knots[0] = -bound;
  for (int j = 0; j < bins; ++j) {
    cumulative += min_size + scale * prob[j];
    knots[j + 1] = (T(2) * bound) * cumulative + (-bound);
  }
  knots[bins] = bound;
}

template <class T>
__device__ T knot_derivative(const T* raw_derivatives, int k, const Constants<T>& c) {
  return k == 0 || k == c.bins ? c.end_derivative : c.min_derivative + softplus_value(raw_derivatives[k - 1]);
}

// (number of knots j with v >= knot_j) - 1, with 1e-6 added to the last knot (flows.md §1.5), clamped.
template <class T>
__device__ int search_bin(const T* knots, int bins, T v) {
  int count = 0;
  for (int j = 0; j < bins; ++j) count += v >= knots[j] ? 1 : 0;
  count += v >= knots[bins] + T(kSearchEpsilon) ? 1 : 0;
  return min(max(count - 1, 0), bins - 1);
}

template <class T>
struct Element {
  T width_prob[kMaxBins], height_prob[kMaxBins];
  T x[kMaxBins + 1], y[kMaxBins + 1];
  int k;
  T x_left, width, y_left, height, d_left, d_right, slope, xi;
};

// Knots, bin and xi of one inside value: forward xi = (x - x_k)/Dx, inverse the stable root (§1.7).
template <class T>
__device__ void locate(const T* raw_widths, const T* raw_heights, const T* raw_derivatives, const Constants<T>& c, T v,
                       bool inverse, Element<T>& e) {
  sizes_to_knots(raw_widths, c.bins, c.min_width, c.bound, e.width_prob, e.x);
  sizes_to_knots(raw_heights, c.bins, c.min_height, c.bound, e.height_prob, e.y);
  const int k = search_bin(inverse ? e.y : e.x, c.bins, v);
  e.k = k;
  e.x_left = e.x[k];
  e.width = e.x[k + 1] - e.x[k];
  e.y_left = e.y[k];
  e.height = e.y[k + 1] - e.y[k];
  e.d_left = knot_derivative(raw_derivatives, k, c);
  e.d_right = knot_derivative(raw_derivatives, k + 1, c);
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
  const T disc = max(qb * qb - T(4) * qa * qc, T(0));  // clamped against round-off, as the CPU kernel
  e.xi = (T(2) * qc) / (-qb - sqrt(disc));
}

// f = num/den, L = log dy/dx and their partials w.r.t. xi, s, d_k (d0), d_{k+1} (d1) (§1.6, README.md).
template <class T>
struct LocalTerms {
  T num, den, f, f_xi, f_s, f_d0, f_d1;
  T logdet, logdet_xi, logdet_s, logdet_d0, logdet_d1;
};

template <class T>
__device__ LocalTerms<T> local_terms(const Element<T>& e, bool with_partials) {
  const T xi = e.xi, s = e.slope, d0 = e.d_left, d1 = e.d_right;
  const T one_minus = T(1) - xi;
  const T t = xi * one_minus;
  const T beta = d0 + d1 - T(2) * s;
  const T den = s + beta * t;
  const T slope_num = d1 * xi * xi + T(2) * s * t + d0 * one_minus * one_minus;
  LocalTerms<T> r{};
  r.num = s * xi * xi + d0 * t;
  r.den = den;
  r.f = r.num / den;
  r.logdet = log(s * s * slope_num) - T(2) * log(den);
  if (!with_partials) return r;
  const T dt_dxi = T(1) - T(2) * xi;
  r.f_xi = s * slope_num / (den * den);
  r.f_s = (xi * xi - r.f * (T(1) - T(2) * t)) / den;
  r.f_d0 = t * (T(1) - r.f) / den;
  r.f_d1 = -r.f * t / den;
  const T inv_n2 = T(1) / slope_num, inv_den = T(1) / den;
  r.logdet_xi = (T(2) * d1 * xi + T(2) * s * dt_dxi - T(2) * d0 * one_minus) * inv_n2 - T(2) * beta * dt_dxi * inv_den;
  r.logdet_s = T(2) / s + T(2) * t * inv_n2 - T(2) * (T(1) - T(2) * t) * inv_den;
  r.logdet_d0 = one_minus * one_minus * inv_n2 - T(2) * t * inv_den;
  r.logdet_d1 = xi * xi * inv_n2 - T(2) * t * inv_den;
  return r;
}

// Gradients of the two knots k, k+1 that the element touches -> raw size gradients (ADDED into grad_raw):
// knot_j = 2B cumsum(w)_j - B for interior j, w = w_min + (1 - K w_min) softmax(raw).
template <class T>
__device__ void knots_backward(int k, T grad_left, T grad_right, const T* prob, int bins, T min_size, T bound,
                               T* grad_raw) {
  const T scale = T(1) - T(bins) * min_size;
  // dL/dp_j = scale * 2B * (sum of interior knot gradients after j); only knots k and k+1 are non-zero.
  auto grad_prob = [&](int j) {
    T suffix = T(0);
    if (k > j && k <= bins - 1) suffix += grad_left;
    if (k + 1 > j && k + 1 <= bins - 1) suffix += grad_right;
    return scale * T(2) * bound * suffix;
  };
  T dot = T(0);  // softmax backward: p_j (dp_j - sum_i p_i dp_i)
  for (int j = 0; j < bins; ++j) dot += prob[j] * grad_prob(j);
  for (int j = 0; j < bins; ++j) grad_raw[j] += prob[j] * (grad_prob(j) - dot);
}

// ---- forward ----

template <class T>
__global__ void rqs_spline_forward_kernel(const T* inputs, const T* raw_widths, const T* raw_heights,
                                          const T* raw_derivatives, int64_t count, Constants<T> c, bool inverse,
                                          T* outputs, T* logabsdet) {
  const int64_t bins = c.bins;
  FLOWJET_KERNEL_LOOP(i, count) {
    const T v = inputs[i];
    if (!(v >= -c.bound && v <= c.bound)) {  // tails (and NaN): identity, log|det| = 0
      outputs[i] = v;
      logabsdet[i] = T(0);
      continue;
    }
    Element<T> e;
    locate(raw_widths + i * bins, raw_heights + i * bins, raw_derivatives + i * (bins - 1), c, v, inverse, e);
    const LocalTerms<T> l = local_terms(e, false);
    if (!inverse) {
      outputs[i] = e.y_left + (e.height * l.num) / l.den;
      logabsdet[i] = l.logdet;
    } else {
      outputs[i] = e.xi * e.width + e.x_left;
      logabsdet[i] = -l.logdet;
    }
  }
}

// ---- backward ----

template <class T>
__global__ void rqs_spline_backward_kernel(const T* inputs, const T* raw_widths_all, const T* raw_heights_all,
                                           const T* raw_derivatives_all, const T* grad_outputs, const T* grad_logabsdet,
                                           int64_t count, Constants<T> c, bool inverse, T* grad_inputs, T* grad_widths,
                                           T* grad_heights, T* grad_derivatives) {
  const int64_t bins = c.bins;
  FLOWJET_KERNEL_LOOP(i, count) {
    const T v = inputs[i];
    const T grad_out = grad_outputs[i], grad_logdet = grad_logabsdet[i];
    if (!(v >= -c.bound && v <= c.bound)) {  // tails: d out / d v = 1, no parameter gradient
      if (grad_inputs) grad_inputs[i] += grad_out;
      continue;
    }
    const T* raw_derivatives = raw_derivatives_all + i * (bins - 1);
    Element<T> e;
    locate(raw_widths_all + i * bins, raw_heights_all + i * bins, raw_derivatives, c, v, inverse, e);
    const LocalTerms<T> l = local_terms(e, true);

    T grad_xi, grad_s, grad_d0, grad_d1, grad_x_left, grad_width, grad_y_left, grad_height, grad_v;
    if (!inverse) {
      // y = y_k + Dy f(xi, s, d0, d1), logabsdet = L, xi = (x - x_k) / Dx
      const T scaled = grad_out * e.height;
      grad_xi = scaled * l.f_xi + grad_logdet * l.logdet_xi;
      grad_s = scaled * l.f_s + grad_logdet * l.logdet_s;
      grad_d0 = scaled * l.f_d0 + grad_logdet * l.logdet_d0;
      grad_d1 = scaled * l.f_d1 + grad_logdet * l.logdet_d1;
      grad_y_left = grad_out;
      grad_height = grad_out * l.f;
      grad_v = grad_xi / e.width;
      grad_x_left = -grad_v;
      grad_width = -grad_xi * e.xi / e.width;
    } else {
      // x = x_k + xi Dx, logabsdet = -L, xi implicit in y_k + Dy f(xi, ...) = y (README.md)
      grad_xi = grad_out * e.width - grad_logdet * l.logdet_xi;
      grad_s = -grad_logdet * l.logdet_s;
      grad_d0 = -grad_logdet * l.logdet_d0;
      grad_d1 = -grad_logdet * l.logdet_d1;
      grad_x_left = grad_out;
      grad_width = grad_out * e.xi;
      const T q = grad_xi / (e.height * l.f_xi);
      grad_v = q;
      grad_y_left = -q;
      grad_height = -q * l.f;
      grad_s -= q * e.height * l.f_s;
      grad_d0 -= q * e.height * l.f_d0;
      grad_d1 -= q * e.height * l.f_d1;
    }
    if (grad_inputs) grad_inputs[i] += grad_v;
    grad_height += grad_s / e.width;  // s = Dy / Dx
    grad_width -= grad_s * e.slope / e.width;
    // Dx = x_{k+1} - x_k, Dy = y_{k+1} - y_k
    if (grad_widths)
      knots_backward(e.k, grad_x_left - grad_width, grad_width, e.width_prob, c.bins, c.min_width, c.bound,
                     grad_widths + i * bins);
    if (grad_heights)
      knots_backward(e.k, grad_y_left - grad_height, grad_height, e.height_prob, c.bins, c.min_height, c.bound,
                     grad_heights + i * bins);
    if (grad_derivatives) {  // d_k = d_min + softplus(raw_{k-1}) at interior knots
      T* grad_raw = grad_derivatives + i * (bins - 1);
      if (e.k > 0) grad_raw[e.k - 1] += grad_d0 * softplus_derivative(raw_derivatives[e.k - 1]);
      if (e.k + 1 < c.bins) grad_raw[e.k] += grad_d1 * softplus_derivative(raw_derivatives[e.k]);
    }
  }
}

void check_bins(const RqsSplineOptions& options) {
  if (options.num_bins > kMaxBins)
    throw ConfigError("rqs_spline: the CUDA kernel supports num_bins <= " + std::to_string(kMaxBins) + ", got " +
                      std::to_string(options.num_bins));
}

// Small blocks: each thread holds its knots in local memory.
constexpr int kSplineBlock = 128;

unsigned spline_grid(int64_t count) {
  const int64_t blocks = (count + kSplineBlock - 1) / kSplineBlock;
  return static_cast<unsigned>(blocks > 65535 * 16 ? 65535 * 16 : blocks);
}

}  // namespace

// ---- launchers ----

template <class T>
void rqs_spline_forward_cuda(const T* inputs, const T* unnormalized_widths, const T* unnormalized_heights,
                             const T* unnormalized_derivatives, int64_t count, const RqsSplineOptions& options,
                             bool inverse, T* outputs, T* logabsdet) {
  check_bins(options);
  if (count == 0) return;
  rqs_spline_forward_kernel<T><<<spline_grid(count), kSplineBlock, 0, cuda::stream()>>>(
      inputs, unnormalized_widths, unnormalized_heights, unnormalized_derivatives, count, make_constants<T>(options),
      inverse, outputs, logabsdet);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void rqs_spline_backward_cuda(const T* inputs, const T* unnormalized_widths, const T* unnormalized_heights,
                              const T* unnormalized_derivatives, const T* grad_outputs, const T* grad_logabsdet,
                              int64_t count, const RqsSplineOptions& options, bool inverse, T* grad_inputs,
                              T* grad_widths, T* grad_heights, T* grad_derivatives) {
  check_bins(options);
  if (count == 0) return;
  rqs_spline_backward_kernel<T><<<spline_grid(count), kSplineBlock, 0, cuda::stream()>>>(
      inputs, unnormalized_widths, unnormalized_heights, unnormalized_derivatives, grad_outputs, grad_logabsdet, count,
      make_constants<T>(options), inverse, grad_inputs, grad_widths, grad_heights, grad_derivatives);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_RQS_SPLINE_CUDA(T)                                                                       \
  template void rqs_spline_forward_cuda<T>(const T*, const T*, const T*, const T*, int64_t, const RqsSplineOptions&, \
                                           bool, T*, T*);                                                            \
  template void rqs_spline_backward_cuda<T>(const T*, const T*, const T*, const T*, const T*, const T*, int64_t,     \
                                            const RqsSplineOptions&, bool, T*, T*, T*, T*);
FLOWJET_INSTANTIATE_RQS_SPLINE_CUDA(float)
FLOWJET_INSTANTIATE_RQS_SPLINE_CUDA(double)

}  // namespace flowjet
