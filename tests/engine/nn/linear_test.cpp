// Tests of the Linear layer: PyTorch default init bounds and draw order, reproducibility from the seed,
// the empty weight of a layer with in_features = 0, and an f64 gradcheck through a small model.
#include "engine/nn/linear.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>

#include "engine/autograd/tape.h"
#include "engine/core/error.h"
#include "engine/nn/batchnorm1d.h"
#include "engine/ops/unary/unary.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

TEST_CASE("nn/linear: default init lies in U(-1/sqrt(in), 1/sqrt(in)) and fills it") {
  Generator gen(10);
  Linear layer(16, 200, gen);
  CHECK(layer.weight().shape() == Shape{200, 16});
  CHECK(layer.bias().shape() == Shape{200});
  for (Tensor* t : {&layer.weight(), &layer.bias()}) {
    std::vector<double> v = t->to_vector();
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    CHECK(*lo >= -0.25);  // 1/sqrt(16)
    CHECK(*hi <= 0.25);
    CHECK(*lo < -0.2);
    CHECK(*hi > 0.2);
  }
  CHECK(layer.parameter_count() == 16 * 200 + 200);
}

TEST_CASE("nn/linear: weight is drawn first, then bias; the same seed gives the same layer") {
  Generator gen(11), replay(11), other(12);
  Linear a(4, 3, gen, true, DType::F64);
  CHECK(a.weight().to_vector() == random_uniform(Shape{3, 4}, replay, DType::F64, Device::CPU, -0.5, 0.5).to_vector());
  CHECK(a.bias().to_vector() == random_uniform(Shape{3}, replay, DType::F64, Device::CPU, -0.5, 0.5).to_vector());
  Generator again(11);
  Linear b(4, 3, again, true, DType::F64);
  CHECK(b.weight().to_vector() == a.weight().to_vector());
  CHECK(b.bias().to_vector() == a.bias().to_vector());
  CHECK(Linear(4, 3, other, true, DType::F64).weight().to_vector() != a.weight().to_vector());
}

TEST_CASE("nn/linear: without bias, and bad sizes") {
  Generator gen(13);
  Linear layer(3, 2, gen, false);
  CHECK(!layer.bias().defined());
  CHECK(layer.named_parameters().size() == 1);
  Tensor y = layer(Tensor::from_vector({1, 0, 0}, Shape{1, 3}));
  CHECK(y.to_vector() == std::vector<double>{layer.weight().to_vector()[0], layer.weight().to_vector()[3]});
  CHECK_THROWS_AS(Linear(-1, 2, gen), ConfigError);
}

TEST_CASE("nn/linear: in_features = 0 (nflows' C = 0 context layer) works end to end") {
  Generator gen(14);
  Linear layer(0, 5, gen);
  CHECK(layer.weight().shape() == Shape{5, 0});
  CHECK(layer.bias().to_vector() == std::vector<double>(5, 0.0));  // bound 1/sqrt(0) is taken as 0
  CHECK(layer.parameter_count() == 5);
  layer.bias().copy_(Tensor::from_vector({1, 2, 3, 4, 5}, Shape{5}));
  Tensor context = Tensor::empty(Shape{3, 0});
  Tensor y = layer(context);
  CHECK(y.shape() == Shape{3, 5});
  CHECK(y.to_vector()[7] == 3.0);
  backward(y, Tensor::ones(Shape{3, 5}));
  CHECK(layer.bias().grad().to_vector() == std::vector<double>(5, 3.0));  // sum over the batch of 1
  CHECK(layer.weight().grad().shape() == Shape{5, 0});
  layer.zero_grad();
  CHECK(tape().empty());
}

TEST_CASE("nn/linear: gradcheck f64 of x through Linear -> BatchNorm1d -> relu -> Linear") {
  Generator gen(15);
  Linear first(3, 4, gen, true, DType::F64);
  BatchNorm1d norm(4, 1e-3, 0.1, DType::F64);
  Linear second(4, 2, gen, true, DType::F64);
  Tensor x = random_normal(Shape{6, 3}, gen, DType::F64).set_requires_grad();
  for (bool is_training : {true, false}) {
    norm.train(is_training);
    testing::check_gradients(
        "nn stack", is_training ? "training, x[6,3]" : "eval, x[6,3]",
        [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{second(relu(norm(first(in[0]))))}; }, {x},
        {"x"});
  }
}
