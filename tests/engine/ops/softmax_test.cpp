// Tests of softmax and log_softmax: values from numpy (offline, float64, max-subtracted), stability
// for large |x|, f64 gradchecks, empty input and errors.
#include <cmath>

#include <doctest/doctest.h>

#include "engine/ops/softmax/softmax.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::check_all_close;
using flowjet::test::Tolerance;

TEST_CASE("ops/softmax: values match numpy") {
  Tensor x = Tensor::from_vector({1, 2, 3, -1, 0.5, 4}, Shape{2, 3}, DType::F64);
  // numpy: e = exp(x - x.max(-1)); e / e.sum(-1), and x - max - log(sum e).
  const std::vector<double> soft = {0.09003057317038046, 0.24472847105479764, 0.6652409557748218,
                                    0.00649794331566194, 0.0291217615374784,  0.9643802951468596};
  const std::vector<double> log_soft = {-2.4076059644443806, -1.4076059644443804, -0.4076059644443804,
                                        -5.036269565124779,  -3.5362695651247793, -0.03626956512477912};
  check_all_close(softmax(x).to_vector(), soft, Tolerance::approx(1e-14));
  check_all_close(log_softmax(x).to_vector(), log_soft, Tolerance::approx(1e-14));
  check_all_close(softmax(x.to(DType::F32)).to_vector(), soft, Tolerance::approx(1e-6));
  check_all_close(log_softmax(x.to(DType::F32)).to_vector(), log_soft, Tolerance::approx(1e-6));
}

TEST_CASE("ops/softmax: stable for large |x|") {
  // Shifting by 1000 changes nothing: same numbers as softmax([1, 2, 3]).
  Tensor x = Tensor::from_vector({1000, 1001, 1002}, Shape{3}, DType::F32);
  check_all_close(softmax(x).to_vector(), {0.09003057317038046, 0.24472847105479764, 0.6652409557748218},
                  Tolerance::approx(1e-6));
  Tensor spread = Tensor::from_vector({-1000, 0, 1000}, Shape{1, 3}, DType::F64);
  std::vector<double> logs = log_softmax(spread).to_vector();
  CHECK(logs[0] == -2000.0);
  CHECK(logs[1] == -1000.0);
  CHECK(logs[2] == 0.0);
  std::vector<double> probs = softmax(spread).to_vector();
  CHECK(probs[2] == 1.0);
  CHECK(probs[0] == 0.0);
}

TEST_CASE("ops/softmax: gradcheck f64") {
  Generator gen(31);
  for (const Shape& shape : {Shape{4, 5}, Shape{2, 3, 6}, Shape{7}}) {
    Tensor x = random_normal(shape, gen, DType::F64, Device::CPU, 0.0, 2.0).set_requires_grad();
    testing::check_gradients("softmax", "rows of " + shape.str(), [](const std::vector<Tensor>& in) {
      return std::vector<Tensor>{softmax(in[0])};
    }, {x}, {"x"});
    testing::check_gradients("log_softmax", "rows of " + shape.str(), [](const std::vector<Tensor>& in) {
      return std::vector<Tensor>{log_softmax(in[0])};
    }, {x}, {"x"});
  }
}

TEST_CASE("ops/softmax: empty batch and errors") {
  CHECK(softmax(Tensor::zeros(Shape{0, 4})).shape() == Shape{0, 4});
  CHECK(log_softmax(Tensor::zeros(Shape{3, 0})).shape() == Shape{3, 0});
  CHECK_THROWS_AS(softmax(Tensor::zeros(Shape{})), ShapeError);
  CHECK_THROWS_AS(log_softmax(Tensor()), TypeError);
}
