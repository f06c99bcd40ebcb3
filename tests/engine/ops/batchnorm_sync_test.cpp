// Tests of synchronised batch norm's hook (BatchStatsReducer) in one process, on batchnorm and the
// fused ops that share its kernels:
//   - a scripted reducer that adds the sums another rank with a different shard would contribute
//     (computed here by hand): rank A then gets the values, running statistics and gradients of
//     one process on the concatenated batch, in the scale of its own mean loss;
//   - a reducer that doubles the sums (two ranks with the same rows): the statistics of the batch
//     concatenated with itself, for batchnorm, batchnorm_relu_dropout and norm_relu_linear;
//   - eval mode never calls the reducer; shapes and devices it does not support are refused.
#include "engine/ops/batchnorm/stats_reducer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/autograd/tape.h"
#include "engine/core/error.h"
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/fused/batchnorm_relu_dropout.h"
#include "engine/ops/fused/norm_relu_linear.h"
#include "engine/ops/shape/shape.h"
#include "engine/random/generator.h"
#include "tests/support/error_message.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::check_all_close;
using flowjet::test::max_abs_difference;
using flowjet::test::Tolerance;

namespace {

constexpr double kMomentum = 0.1, kEps = 1e-3;

std::vector<double> scaled(std::vector<double> v, double factor) {
  for (double& x : v) x *= factor;
  return v;
}

// Two identical ranks: every sum doubles.
struct Doubler final : BatchStatsReducer {
  int calls = 0;
  void sum(double* data, int64_t count) override {
    ++calls;
    for (int64_t i = 0; i < count; ++i) data[i] *= 2.0;
  }
};

// Rank A of two, rank B holding xb [NB, C] with upstream gradient dyb (that of B's own mean loss).
// Adds B's part of each collective, in the order the kernels call them: [sum x, rows], then the
// squared deviations from the global mean, then [NB * sum dy, NB * sum dy * xhat, NB].
struct OtherRank final : BatchStatsReducer {
  std::vector<double> xb, dyb;
  int64_t NB = 0, C = 0;
  int calls = 0;
  std::vector<double> mean, inv_std;    // the global statistics, seen in calls 1 and 2
  std::vector<double> sum_dy, sum_dy_xhat;  // B's own backward sums (its dL/dbeta, dL/dgamma)

  void sum(double* data, int64_t count) override {
    if (calls == 0) {
      REQUIRE(count == C + 1);
      for (int64_t n = 0; n < NB; ++n)
        for (int64_t c = 0; c < C; ++c) data[c] += xb[n * C + c];
      data[C] += static_cast<double>(NB);
      mean.resize(C);
      for (int64_t c = 0; c < C; ++c) mean[c] = data[c] / data[C];
      rows = data[C];
    } else if (calls == 1) {
      REQUIRE(count == C);
      for (int64_t n = 0; n < NB; ++n)
        for (int64_t c = 0; c < C; ++c) data[c] += (xb[n * C + c] - mean[c]) * (xb[n * C + c] - mean[c]);
      inv_std.resize(C);
      for (int64_t c = 0; c < C; ++c) inv_std[c] = 1.0 / std::sqrt(data[c] / rows + kEps);
    } else {
      REQUIRE(calls == 2);
      REQUIRE(count == 2 * C + 1);
      sum_dy.assign(C, 0.0);
      sum_dy_xhat.assign(C, 0.0);
      for (int64_t n = 0; n < NB; ++n)
        for (int64_t c = 0; c < C; ++c) {
          sum_dy[c] += dyb[n * C + c];
          sum_dy_xhat[c] += dyb[n * C + c] * (xb[n * C + c] - mean[c]) * inv_std[c];
        }
      for (int64_t c = 0; c < C; ++c) {
        data[c] += static_cast<double>(NB) * sum_dy[c];
        data[C + c] += static_cast<double>(NB) * sum_dy_xhat[c];
      }
      data[2 * C] += static_cast<double>(NB);
    }
    ++calls;
  }

 private:
  double rows = 0.0;
};

// A batch-norm layer's state: parameters (requiring gradients) and running statistics ([C] each).
struct Layer {
  Tensor gamma, beta, running_mean, running_var;
};

Layer make_layer(int64_t C, uint64_t seed) {
  Generator gen(seed);
  return Layer{random_uniform(Shape{C}, gen, DType::F64, Device::CPU, 0.5, 1.5).set_requires_grad(),
               random_normal(Shape{C}, gen, DType::F64, Device::CPU, 0.0, 0.5).set_requires_grad(),
               random_normal(Shape{C}, gen, DType::F64), random_uniform(Shape{C}, gen, DType::F64, Device::CPU, 0.5, 2.0)};
}

// What one training call of an op left: output, gradients, running statistics.
struct Outcome {
  std::vector<double> y, grad_x, grad_gamma, grad_beta, running_mean, running_var;
};

// op(x, layer, reducer) -> y. Runs it in training mode on a fresh copy of the layer made with `seed`,
// then the backward with dL/dy = grad_y.
using Op = std::function<Tensor(const Tensor&, const Layer&, BatchStatsReducer*)>;

Outcome run(const Op& op, const std::vector<double>& x_values, const std::vector<double>& grad_y_values, int64_t C,
            BatchStatsReducer* reducer) {
  const int64_t N = static_cast<int64_t>(x_values.size()) / C;
  const Layer layer = make_layer(C, 5);
  Tensor x = Tensor::from_vector(x_values, Shape{N, C}, DType::F64).set_requires_grad();
  Tensor y = op(x, layer, reducer);
  backward(y, Tensor::from_vector(grad_y_values, y.shape(), DType::F64));
  return {y.to_vector(),
          x.grad().to_vector(),
          layer.gamma.grad().to_vector(),
          layer.beta.grad().to_vector(),
          layer.running_mean.to_vector(),
          layer.running_var.to_vector()};
}

const Op kBatchnorm = [](const Tensor& x, const Layer& l, BatchStatsReducer* r) {
  return batchnorm(x, l.gamma, l.beta, l.running_mean, l.running_var, true, kMomentum, kEps, r);
};
const Op kBatchnormReluDropout = [](const Tensor& x, const Layer& l, BatchStatsReducer* r) {
  return batchnorm_relu_dropout(x, l.gamma, l.beta, l.running_mean, l.running_var, true, kMomentum, kEps, Tensor(), r);
};
// norm_relu_linear with a fixed [2, C] weight (its own gradients are not compared).
Op norm_relu_linear_op(int64_t C) {
  Generator gen(9);
  const Tensor weight = random_normal(Shape{2, C}, gen, DType::F64);
  return [weight](const Tensor& x, const Layer& l, BatchStatsReducer* r) {
    return norm_relu_linear(x, NormArgs{l.gamma, l.beta, l.running_mean, l.running_var, true, kMomentum, kEps, r},
                            DropoutArgs{}, weight);
  };
}

std::vector<double> random_values(int64_t n, uint64_t seed, double mean, double stddev) {
  Generator gen(seed);
  return random_normal(Shape{n}, gen, DType::F64, Device::CPU, mean, stddev).to_vector();
}

std::vector<double> joined(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::vector<double> head(const std::vector<double>& v, std::size_t n) { return {v.begin(), v.begin() + n}; }

}  // namespace

TEST_CASE("ops/batchnorm sync: rank A with another rank's sums gets one process's statistics and gradients") {
  // Shards of 5 and 3 rows (unequal, as the last rank of an uneven batch), 3 channels. Each rank's
  // dL/dy is that of its own mean loss (1/N_r) sum w . y; one process on all 8 rows has (1/8) sum w . y.
  const int64_t C = 3, NA = 5, NB = 3, N = NA + NB;
  const std::vector<double> xa = random_values(NA * C, 1, 0.4, 1.3), xb = random_values(NB * C, 2, -0.2, 0.8);
  const std::vector<double> wa = random_values(NA * C, 3, 0.0, 1.0), wb = random_values(NB * C, 4, 0.0, 1.0);
  const Outcome one = run(kBatchnorm, joined(xa, xb), scaled(joined(wa, wb), 1.0 / N), C, nullptr);

  OtherRank other;
  other.xb = xb;
  other.dyb = scaled(wb, 1.0 / NB);
  other.NB = NB;
  other.C = C;
  const Outcome a = run(kBatchnorm, xa, scaled(wa, 1.0 / NA), C, &other);
  CHECK(other.calls == 3);
  const double tol = 1e-12;
  check_all_close(a.y, head(one.y, NA * C), Tolerance::approx(tol), "y");
  check_all_close(a.running_mean, one.running_mean, Tolerance::approx(tol), "running_mean");
  check_all_close(a.running_var, one.running_var, Tolerance::approx(tol), "running_var (unbiased over the 8 rows)");
  // dL/dx in the scale of A's own loss: the global loss weights it by NA / N.
  check_all_close(scaled(a.grad_x, double(NA) / N), head(one.grad_x, NA * C), Tolerance::approx(tol), "grad_x");
  // dL/dgamma and dL/dbeta stay A's own sums; the weighted gradient all-reduce makes them global.
  std::vector<double> gamma(C), beta(C);
  for (int64_t c = 0; c < C; ++c) {
    gamma[c] = double(NA) / N * a.grad_gamma[c] + double(NB) / N * other.sum_dy_xhat[c];
    beta[c] = double(NA) / N * a.grad_beta[c] + double(NB) / N * other.sum_dy[c];
  }
  check_all_close(gamma, one.grad_gamma, Tolerance::approx(tol), "grad_gamma");
  check_all_close(beta, one.grad_beta, Tolerance::approx(tol), "grad_beta");

  // Without the other rank's sums, A's shard alone gives other numbers (the test can fail).
  const Outcome alone = run(kBatchnorm, xa, scaled(wa, 1.0 / NA), C, nullptr);
  CHECK(max_abs_difference(alone.y, head(one.y, NA * C)) > 1e-2);
  CHECK(max_abs_difference(alone.running_var, one.running_var) > 1e-3);
  CHECK(max_abs_difference(scaled(alone.grad_x, double(NA) / N), head(one.grad_x, NA * C)) > 1e-3);
}

TEST_CASE("ops/batchnorm sync: doubled sums give the batch concatenated with itself (batchnorm and fused ops)") {
  const int64_t C = 4, N = 6;
  const std::vector<double> x = random_values(N * C, 11, 0.3, 1.2), w = random_values(N * C, 12, 0.0, 1.0);
  const std::vector<std::pair<std::string, Op>> ops{
      {"batchnorm", kBatchnorm}, {"batchnorm_relu_dropout", kBatchnormReluDropout},
      {"norm_relu_linear", norm_relu_linear_op(C)}};
  for (const auto& [name, op] : ops) {
    INFO(name);
    const bool linear = name == "norm_relu_linear";
    const std::vector<double> wy = linear ? random_values(N * 2, 13, 0.0, 1.0) : w;
    // Each rank's loss is its mean over N rows; one process's over the 2N rows of [x; x].
    const Outcome both = run(op, joined(x, x), scaled(joined(wy, wy), 0.5 / N), C, nullptr);
    Doubler doubler;
    const Outcome rank = run(op, x, scaled(wy, 1.0 / N), C, &doubler);
    CHECK(doubler.calls == 3);
    const double tol = 1e-12;
    check_all_close(rank.y, head(both.y, rank.y.size()), Tolerance::approx(tol), "y");
    check_all_close(rank.running_mean, both.running_mean, Tolerance::approx(tol), "running_mean");
    check_all_close(rank.running_var, both.running_var, Tolerance::approx(tol), "running_var (unbiased over 2N rows)");
    check_all_close(scaled(rank.grad_x, 0.5), head(both.grad_x, N * C), Tolerance::approx(tol), "grad_x");
    check_all_close(rank.grad_gamma, both.grad_gamma, Tolerance::approx(tol), "grad_gamma");
    check_all_close(rank.grad_beta, both.grad_beta, Tolerance::approx(tol), "grad_beta");
    // The running variance is the one statistic that differs from a single rank's own.
    const Outcome alone = run(op, x, scaled(wy, 1.0 / N), C, nullptr);
    CHECK(max_abs_difference(alone.running_var, both.running_var) > 1e-3);
  }
}

TEST_CASE("ops/batchnorm sync: eval mode never calls the reducer; unsupported shapes and devices are refused") {
  const Layer l = make_layer(3, 7);
  Doubler doubler;
  Generator gen(8);
  const Tensor x = random_normal(Shape{4, 3}, gen, DType::F64).set_requires_grad();
  Tensor y = batchnorm(x, l.gamma, l.beta, l.running_mean, l.running_var, false, kMomentum, kEps, &doubler);
  backward(y, Tensor::ones(y.shape(), DType::F64));
  CHECK(doubler.calls == 0);

  const Tensor x3 = random_normal(Shape{4, 3, 2}, gen, DType::F64);
  const std::string message = test::error_message<ShapeError>([&] {
    batchnorm(x3, l.gamma, l.beta, l.running_mean, l.running_var, true, kMomentum, kEps, &doubler);
  });
  CHECK(test::contains(message, "batchnorm: synchronised batch norm (train.sync_batchnorm) takes x [batch, channels] "
                                "only, got [4, 3, 2]"));
}
