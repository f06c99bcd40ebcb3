// The fused spline op against the composition it replaces, rebuilt here from the engine's general ops the way
// nflows writes the spline in PyTorch: slices of the packed conditioner output and the 1/sqrt(H) logit scale,
// softmax, cumsum, the bin found by a search and selected with one-hot masks, the rational-quadratic formulas
// (Durkan et al. 2019), the tails by masks, and the sum over features. f64, outputs, log|det| and
// every gradient, both directions, for the compile-time bin counts (4, 5, 8) and a run-time one (7).
// Also: the op gives the same bits on 1 and 2 threads.
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/cumsum/cumsum.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/shape/shape.h"
#include "engine/ops/softmax/softmax.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::check_all_close;
using flowjet::test::Tolerance;

namespace {

constexpr double kMin = 1e-3;  // min bin width, height and derivative (nflows' defaults)

Tensor column(double value, int64_t rows) { return Tensor::full(Shape{rows, 1}, value, DType::F64); }

// Knots [E, K+1] from the scaled logits [E, K]: softmax, minimum size, cumulative sum mapped to [-B, B], exact ends.
Tensor knots_of(const Tensor& logits, int K, double B) {
  const int64_t E = logits.size(0);
  Tensor knots = cumsum(softmax(logits) * (1.0 - K * kMin) + kMin) * (2.0 * B) - B;  // x_1 .. x_K
  return concat({column(-B, E), slice(knots, 1, 0, K - 1), column(B, E)}, 1);
}

// sum_j t[:, j] mask[:, j]: the entry a one-hot mask picks in each row.
Tensor pick(const Tensor& t, const Tensor& one_hot) { return sum(t * one_hot, 1); }

struct Reference {
  Tensor outputs, logabsdet;
};

// The composition for inputs [N, F] and packed params [N, F (3K-1)] (nflows semantics, flow-model.md §1-2.3).
Reference reference_spline(const Tensor& inputs, const Tensor& params, int K, double B, double scale, bool inverse) {
  const int64_t N = inputs.size(0), F = inputs.size(1), E = N * F;
  Tensor p = reshape(params, Shape{E, 3 * K - 1});
  Tensor xs = knots_of(slice(p, 1, 0, K) * scale, K, B);
  Tensor ys = knots_of(slice(p, 1, K, 2 * K) * scale, K, B);
  const double end = kMin + std::log1p(std::exp(std::log(std::exp(1.0 - kMin) - 1.0)));
  Tensor ds = concat({column(end, E), softplus(slice(p, 1, 2 * K, 3 * K - 1)) + kMin, column(end, E)}, 1);

  // Inside mask; tail elements are evaluated at 0 (a finite stand-in) and masked out below.
  std::vector<double> x = inputs.to_vector(), inside(E), left(E * (K + 1), 0.0), right(E * (K + 1), 0.0);
  const std::vector<double> search = (inverse ? ys : xs).to_vector();
  for (int64_t e = 0; e < E; ++e) {
    inside[e] = x[e] >= -B && x[e] <= B ? 1.0 : 0.0;
    const double v = inside[e] * x[e];
    int count = 0;  // nflows' searchsorted: knots <= v, with 1e-6 added to the last
    for (int j = 0; j <= K; ++j) count += v >= search[e * (K + 1) + j] + (j == K ? 1e-6 : 0.0) ? 1 : 0;
    const int k = std::min(std::max(count - 1, 0), K - 1);
    left[e * (K + 1) + k] = 1.0;
    right[e * (K + 1) + k + 1] = 1.0;
  }
  const Tensor in_mask = Tensor::from_vector(inside, Shape{E}, DType::F64);
  const Tensor L = Tensor::from_vector(left, Shape{E, K + 1}, DType::F64);
  const Tensor R = Tensor::from_vector(right, Shape{E, K + 1}, DType::F64);
  Tensor xk = pick(xs, L), dx = pick(xs, R) - xk, yk = pick(ys, L), dy = pick(ys, R) - yk;
  Tensor d0 = pick(ds, L), d1 = pick(ds, R), s = dy / dx;
  Tensor v = reshape(inputs, Shape{E}) * in_mask;

  auto log_slope = [&](const Tensor& xi) {  // log dy/dx = log(s^2 N2) - 2 log(den)
    Tensor t = xi * (1.0 - xi);
    Tensor n2 = d1 * xi * xi + 2.0 * s * t + d0 * (1.0 - xi) * (1.0 - xi);
    return log(s * s * n2) - 2.0 * log(s + (d0 + d1 - 2.0 * s) * t);
  };
  Tensor spline, lad;
  if (!inverse) {
    Tensor xi = (v - xk) / dx;
    Tensor t = xi * (1.0 - xi);
    spline = yk + dy * (s * xi * xi + d0 * t) / (s + (d0 + d1 - 2.0 * s) * t);
    lad = log_slope(xi);
  } else {
    Tensor r = v - yk, beta = d0 + d1 - 2.0 * s;
    Tensor a = r * beta + dy * (s - d0), b = dy * d0 - r * beta, c = -(s * r);
    Tensor root = (2.0 * c) / (-b - sqrt(b * b - 4.0 * a * c));
    spline = root * dx + xk;
    lad = -log_slope(root);
  }
  Tensor out = in_mask * spline + (1.0 - in_mask) * reshape(inputs, Shape{E});
  return {reshape(out, Shape{N, F}), sum(reshape(in_mask * lad, Shape{N, F}), 1)};
}

}  // namespace

TEST_CASE("ops/rqs_spline: fused op equals the composition of slices, scale, spline and sum, f64") {
  const int64_t N = 6, F = 5;
  const double B = 3.0, scale = 0.5;
  for (int K : {4, 5, 7, 8})
    for (bool inverse : {false, true}) {
      CAPTURE(K);
      CAPTURE(inverse);
      Generator gen(static_cast<uint64_t>(300 + 2 * K + (inverse ? 1 : 0)));
      // About a fifth of the inputs in the tails; logits of std 3 scaled by 1/2.
      const Tensor x = random_uniform(Shape{N, F}, gen, DType::F64, Device::CPU, -1.3 * B, 1.3 * B);
      const Tensor p = random_normal(Shape{N, F * (3 * K - 1)}, gen, DType::F64, Device::CPU, 0.0, 3.0);
      const Tensor g_out = random_normal(Shape{N, F}, gen, DType::F64), g_lad = random_normal(Shape{N}, gen, DType::F64);
      RqsSplineOptions o;
      o.num_bins = K;
      o.tail_bound = B;
      o.width_height_scale = scale;

      std::vector<double> values[2][2], grads[2][2];
      for (int which = 0; which < 2; ++which) {
        Tensor xin = x.clone().set_requires_grad(), pin = p.clone().set_requires_grad();
        Tensor out, lad;
        if (which == 0) {
          RqsSplineResult r = rqs_spline(xin, pin, o, inverse);
          out = r.outputs;
          lad = r.logabsdet;
        } else {
          Reference r = reference_spline(xin, pin, K, B, scale, inverse);
          out = r.outputs;
          lad = r.logabsdet;
        }
        backward({out, lad}, {g_out, g_lad});
        values[which][0] = out.to_vector();
        values[which][1] = lad.to_vector();
        grads[which][0] = xin.grad().to_vector();
        grads[which][1] = pin.grad().to_vector();
      }
      check_all_close(values[0][0], values[1][0], Tolerance::plus_one(1e-9), "outputs");
      check_all_close(values[0][1], values[1][1], Tolerance::plus_one(1e-9), "logabsdet");
      check_all_close(grads[0][0], grads[1][0], Tolerance::plus_one(1e-9), "grad inputs");
      check_all_close(grads[0][1], grads[1][1], Tolerance::plus_one(1e-9), "grad params");
    }
}

// Element-wise work and per-row sums in feature order: the thread count must not change a single bit.
TEST_CASE("ops/rqs_spline: 1 and 2 threads give bitwise identical outputs and gradients, f32") {
  const int before = num_threads();
  const int64_t N = 500, F = 45;  // ~12 chunks of rows, so 2 threads do split the work
  for (int K : {5, 6})
    for (bool inverse : {false, true}) {
      CAPTURE(K);
      CAPTURE(inverse);
      Generator gen(static_cast<uint64_t>(400 + K));
      const Tensor x = random_normal(Shape{N, F}, gen, DType::F32, Device::CPU, 0.0, 1.5);
      const Tensor p = random_normal(Shape{N, F * (3 * K - 1)}, gen, DType::F32, Device::CPU, 0.0, 4.0);
      const Tensor g_out = random_normal(Shape{N, F}, gen), g_lad = random_normal(Shape{N}, gen);
      RqsSplineOptions o;
      o.num_bins = K;
      o.tail_bound = 4.0;
      o.width_height_scale = 0.25;
      std::vector<std::vector<double>> results[2];
      for (int threads : {1, 2}) {
        set_num_threads(threads);
        Tensor xin = x.clone().set_requires_grad(), pin = p.clone().set_requires_grad();
        RqsSplineResult r = rqs_spline(xin, pin, o, inverse);
        backward({r.outputs, r.logabsdet}, {g_out, g_lad});
        results[threads - 1] = {r.outputs.to_vector(), r.logabsdet.to_vector(), xin.grad().to_vector(),
                                pin.grad().to_vector()};
      }
      for (std::size_t t = 0; t < 4; ++t) {
        CAPTURE(t);
        CHECK(results[0][t] == results[1][t]);
      }
    }
  set_num_threads(before);
}
