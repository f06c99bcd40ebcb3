// Tests of the fused gate x * sigmoid(g) and of glu: values from numpy (offline, float64),
// f64 gradchecks of both inputs, large |g| and errors.
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "engine/ops/gate/gate.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::check_all_close;
using flowjet::test::Tolerance;

TEST_CASE("ops/gate: values match numpy") {
  Tensor x = Tensor::from_vector({1.5, -0.7, -2.0, 3.0}, Shape{2, 2}, DType::F64);
  Tensor g = Tensor::from_vector({0.3, -1.2, 2.0, 0.0}, Shape{2, 2}, DType::F64);
  // numpy: x / (1 + exp(-g))
  const std::vector<double> want = {0.8616637752174885, -0.16203265155068766, -1.7615941559557646, 1.5};
  check_all_close(gate(x, g).to_vector(), want, Tolerance::approx(1e-14));
  check_all_close(gate(x.to(DType::F32), g.to(DType::F32)).to_vector(), want, Tolerance::approx(1e-6));
  // numpy: t[:, :2] / (1 + exp(-t[:, 2:]))
  Tensor t = Tensor::from_vector({1, 2, 0.5, -1, 3, -2, -0.25, 2}, Shape{2, 4}, DType::F64);
  Tensor y = glu(t);
  CHECK(y.shape() == Shape{2, 2});
  check_all_close(y.to_vector(), {0.6224593312018546, 0.5378828427399902, 1.3134704973426057, -1.7615941559557646},
                  Tolerance::approx(1e-14));
}

TEST_CASE("ops/gate: large |g| saturates without overflow") {
  Tensor x = Tensor::from_vector({2, 2}, Shape{2}, DType::F32);
  Tensor g = Tensor::from_vector({-500, 500}, Shape{2}, DType::F32);
  CHECK(gate(x, g).to_vector() == std::vector<double>{0, 2});
}

TEST_CASE("ops/gate: gradcheck f64") {
  Generator gen(61);
  Tensor x = random_normal(Shape{3, 4}, gen, DType::F64).set_requires_grad();
  Tensor g = random_normal(Shape{3, 4}, gen, DType::F64, Device::CPU, 0.0, 2.0).set_requires_grad();
  testing::check_gradients("gate", "x[3,4] g[3,4]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{gate(in[0], in[1])};
  }, {x, g}, {"x", "g"});
  Tensor t = random_normal(Shape{2, 3, 6}, gen, DType::F64).set_requires_grad();
  testing::check_gradients("glu", "t[2,3,6]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{glu(in[0])};
  }, {t}, {"t"});
}

TEST_CASE("ops/gate: empty batch and shape errors") {
  CHECK(gate(Tensor::zeros(Shape{0, 3}), Tensor::zeros(Shape{0, 3})).shape() == Shape{0, 3});
  CHECK(glu(Tensor::zeros(Shape{0, 4})).shape() == Shape{0, 2});
  try {
    gate(Tensor::zeros(Shape{2, 3}), Tensor::zeros(Shape{3, 2}));
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    const std::string message = e.what();
    CHECK(message.find("gate") != std::string::npos);
    CHECK(message.find("[2, 3]") != std::string::npos);
    CHECK(message.find("[3, 2]") != std::string::npos);
  }
  CHECK_THROWS_AS(glu(Tensor::zeros(Shape{2, 3})), ShapeError);
  CHECK_THROWS_AS(glu(Tensor::zeros(Shape{})), ShapeError);
  CHECK_THROWS_AS(gate(Tensor::zeros(Shape{2}), Tensor::zeros(Shape{2}, DType::F64)), TypeError);
}
