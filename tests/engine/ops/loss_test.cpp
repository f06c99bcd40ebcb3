// Tests of normal_log_prob and mse: flow-model.md §4.1 constants, numpy values (offline, float64),
// f64 gradchecks, empty batches and errors.
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "engine/ops/loss/loss.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

TEST_CASE("ops/loss: normal_log_prob constants of flow-model.md §4.1") {
  // At z = 0 only the constant -0.5 * D * log(2 pi) remains.
  Tensor y90 = normal_log_prob(Tensor::zeros(Shape{2, 90}, DType::F64));
  CHECK(y90.shape() == Shape{2});
  for (double v : y90.to_vector()) CHECK(v == doctest::Approx(-82.704467988420546).epsilon(1e-15));
  Tensor y4 = normal_log_prob(Tensor::zeros(Shape{3, 4}, DType::F64));
  for (double v : y4.to_vector()) CHECK(v == doctest::Approx(-3.6757541328186907).epsilon(1e-15));
  CHECK(normal_log_prob(Tensor::zeros(Shape{90}, DType::F32)).item() == doctest::Approx(-82.704467988420546).epsilon(1e-7));
}

TEST_CASE("ops/loss: normal_log_prob and mse values match numpy") {
  // numpy: -0.5 * (z**2).sum(-1) - 0.5 * 4 * log(2 pi)
  Tensor z = Tensor::from_vector({0.5, -1, 2, 0, 1, 1, 1, 1}, Shape{2, 4}, DType::F64);
  std::vector<double> y = normal_log_prob(z).to_vector();
  CHECK(y[0] == doctest::Approx(-6.300754132818691).epsilon(1e-15));
  CHECK(y[1] == doctest::Approx(-5.675754132818691).epsilon(1e-15));
  std::vector<double> y32 = normal_log_prob(z.to(DType::F32)).to_vector();
  CHECK(y32[0] == doctest::Approx(-6.300754132818691).epsilon(1e-6));
  // numpy: mean(([1,2,3,4] - [0.5,2.5,1,4])**2) = 1.125
  Tensor a = Tensor::from_vector({1, 2, 3, 4}, Shape{2, 2}, DType::F64);
  Tensor b = Tensor::from_vector({0.5, 2.5, 1, 4}, Shape{2, 2}, DType::F64);
  Tensor m = mse(a, b);
  CHECK(m.shape() == Shape{});
  CHECK(m.item() == 1.125);
  CHECK(mse(a.to(DType::F32), b.to(DType::F32)).item() == 1.125);
}

TEST_CASE("ops/loss: gradcheck f64") {
  Generator gen(91);
  Tensor z = random_normal(Shape{5, 4}, gen, DType::F64).set_requires_grad();
  testing::check_gradients("normal_log_prob", "z[5,4]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{normal_log_prob(in[0])};
  }, {z}, {"z"});
  Tensor a = random_normal(Shape{3, 4}, gen, DType::F64).set_requires_grad();
  Tensor b = random_normal(Shape{3, 4}, gen, DType::F64).set_requires_grad();
  testing::check_gradients("mse", "a[3,4] b[3,4]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{mse(in[0], in[1])};
  }, {a, b}, {"a", "b"});
}

TEST_CASE("ops/loss: empty batches and errors") {
  CHECK(normal_log_prob(Tensor::zeros(Shape{0, 4})).shape() == Shape{0});
  CHECK(std::isnan(mse(Tensor::zeros(Shape{0, 3}), Tensor::zeros(Shape{0, 3})).item()));
  CHECK_THROWS_AS(normal_log_prob(Tensor::zeros(Shape{})), ShapeError);
  try {
    mse(Tensor::zeros(Shape{2, 3}), Tensor::zeros(Shape{3}));
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    const std::string message = e.what();
    CHECK(message.find("mse") != std::string::npos);
    CHECK(message.find("[2, 3]") != std::string::npos);
    CHECK(message.find("[3]") != std::string::npos);
  }
  CHECK_THROWS_AS(mse(Tensor::zeros(Shape{2}), Tensor::zeros(Shape{2}, DType::F64)), TypeError);
}
