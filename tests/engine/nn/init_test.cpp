// Tests of the seeded initialisers: bounds, in-place update of registered parameters, reproducibility,
// and PyTorch's Linear bound (including fan_in = 0).
#include "engine/nn/init.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "engine/nn/linear.h"

using namespace flowjet;

TEST_CASE("nn/init: linear_init_bound is 1/sqrt(fan_in), and 0 for fan_in = 0") {
  CHECK(linear_init_bound(4) == 0.5);
  CHECK(linear_init_bound(256) == 0.0625);
  CHECK(linear_init_bound(0) == 0.0);
}

TEST_CASE("nn/init: init_uniform_ rewrites a registered parameter in place (nflows' block re-init)") {
  Generator gen(40);
  Linear layer(64, 64, gen);
  Tensor weight = layer.weight();
  init_uniform_(layer.weight(), -1e-3, 1e-3, gen);
  init_uniform_(layer.bias(), -1e-3, 1e-3, gen);
  CHECK(layer.weight().is_same(weight));
  CHECK(layer.named_parameters()[0].tensor.is_same(weight));
  CHECK(layer.weight().requires_grad());
  for (Tensor* t : {&layer.weight(), &layer.bias()}) {
    std::vector<double> v = t->to_vector();
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    CHECK(*lo >= -1e-3);
    CHECK(*hi <= 1e-3);
    CHECK(*hi - *lo > 1.5e-3);
  }
}

TEST_CASE("nn/init: the same seed gives the same values; normal and constant fills") {
  Generator a(41), b(41);
  Tensor x = Tensor::empty(Shape{5, 7}, DType::F64), y = Tensor::empty(Shape{5, 7}, DType::F64);
  init_uniform_(x, -2.0, 3.0, a);
  init_uniform_(y, -2.0, 3.0, b);
  CHECK(x.to_vector() == y.to_vector());
  Tensor z = Tensor::empty(Shape{20000}, DType::F64);
  init_normal_(z, 1.0, 0.5, a);
  double sum = 0.0, sq = 0.0;
  for (double v : z.to_vector()) {
    sum += v;
    sq += v * v;
  }
  const double mean = sum / 20000.0, stddev = std::sqrt(sq / 20000.0 - mean * mean);
  CHECK(mean == doctest::Approx(1.0).epsilon(0.02));    // standard error 0.0035
  CHECK(stddev == doctest::Approx(0.5).epsilon(0.03));  // standard error about 0.0025
  init_constant_(z, 0.25);
  CHECK(z.to_vector() == std::vector<double>(20000, 0.25));
}
