// Tests of clamp: values, the PyTorch boundary convention of its gradient, f64 gradcheck, errors.
#include <cmath>

#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/ops/clamp/clamp.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

TEST_CASE("ops/clamp: values") {
  Tensor x = Tensor::from_vector({-3, -1, 0, 1, 2.5, NAN}, Shape{6}, DType::F64);
  std::vector<double> y = clamp(x, -1, 2).to_vector();
  CHECK(std::vector<double>(y.begin(), y.end() - 1) == std::vector<double>{-1, -1, 0, 1, 2});
  CHECK(std::isnan(y[5]));
  CHECK(clamp(x.to(DType::F32), 0.5, 0.5).to_vector()[2] == 0.5);
}

TEST_CASE("ops/clamp: gradient 1 inside and on the bounds, 0 where clamped") {
  Tensor x = Tensor::from_vector({-3, -1, 0, 2, 2.5}, Shape{5}, DType::F64).set_requires_grad();
  backward(clamp(x, -1, 2), Tensor::ones(Shape{5}, DType::F64));
  CHECK(x.grad().to_vector() == std::vector<double>{0, 1, 1, 1, 0});  // PyTorch: passes where min <= x <= max
}

TEST_CASE("ops/clamp: gradcheck f64, away from the bounds") {
  Generator gen(51);
  Tensor x = random_uniform(Shape{4, 6}, gen, DType::F64, Device::CPU, -2.0, 2.0);
  for (int64_t i = 0; i < x.numel(); ++i) {  // keep every value at least 0.05 from the bounds +-1
    double& v = x.data<double>()[i];
    if (std::fabs(std::fabs(v) - 1.0) < 0.05) v *= 0.9;
  }
  x.set_requires_grad();
  testing::check_gradients("clamp", "[4,6] in [-2,2], bounds [-1,1]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{clamp(in[0], -1.0, 1.0)};
  }, {x}, {"x"});
}

TEST_CASE("ops/clamp: empty input and bad bounds") {
  CHECK(clamp(Tensor::zeros(Shape{0, 2}), 0, 1).shape() == Shape{0, 2});
  CHECK_THROWS_AS(clamp(Tensor::zeros(Shape{2}), 1, 0), Error);
  CHECK_THROWS_AS(clamp(Tensor::zeros(Shape{2}), NAN, 0), Error);
}
