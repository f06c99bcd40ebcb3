// Tests of the Dropout layer: identity in eval mode and for p = 0, the keep rate and scale in training,
// fresh masks per call, reproducibility from the seed, and the gradient through the drawn mask.
#include "engine/nn/dropout.h"

#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/core/error.h"

using namespace flowjet;

TEST_CASE("nn/dropout: identity in eval mode and for p = 0") {
  Generator gen(20);
  Tensor x = Tensor::ones(Shape{4, 5});
  Dropout drop(0.5, gen);
  drop.eval();
  CHECK(drop(x).is_same(x));
  CHECK(gen.offset() == 0);  // no draw
  Dropout none(0.0, gen);
  CHECK(none.is_training());
  CHECK(none(x).is_same(x));
  CHECK_THROWS_AS(Dropout(1.0, gen), ConfigError);
  CHECK_THROWS_AS(Dropout(-0.1, gen), ConfigError);
}

TEST_CASE("nn/dropout: training drops about p of the elements and scales survivors by 1/(1-p)") {
  Generator gen(21);
  Dropout drop(0.3, gen);
  Tensor x = Tensor::ones(Shape{100, 100}, DType::F64);
  std::vector<double> y = drop(x).to_vector();
  int zeros = 0;
  for (double v : y) {
    if (v == 0.0) {
      ++zeros;
    } else {
      CHECK(v == doctest::Approx(1.0 / 0.7).epsilon(1e-15));
    }
  }
  // 10,000 Bernoulli(0.3) draws: standard deviation of the rate 0.0046, so 0.02 is over 4 sigma.
  CHECK(zeros / 10000.0 == doctest::Approx(0.3).epsilon(0.02 / 0.3));
  CHECK(drop(x).to_vector() != y);  // a fresh mask per call
  Generator replay(21);
  Dropout again(0.3, replay);
  CHECK(again(x).to_vector() == y);  // same seed, same mask
}

TEST_CASE("nn/dropout: the gradient is the drawn mask") {
  Generator gen(22);
  Dropout drop(0.5, gen);
  Tensor x = Tensor::ones(Shape{8}, DType::F64).set_requires_grad();
  Tensor y = drop(x);
  backward(y, Tensor::ones(Shape{8}, DType::F64));
  CHECK(x.grad().to_vector() == y.to_vector());  // x = 1, so y is the mask itself
}
