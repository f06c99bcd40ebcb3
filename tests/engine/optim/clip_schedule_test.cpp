// Tests of gradient clipping, the finite-gradient check and the learning-rate schedules.
// Expected numbers were computed by hand with python3's math module (formulas in comments).
#include <cmath>
#include <limits>
#include <vector>

#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "engine/optim/clip.h"
#include "engine/optim/schedule.h"
#include "tests/support/tolerance.h"

using namespace flowjet;
using flowjet::test::relative_approx;

namespace {
NamedTensors params_with_grads(DType dtype) {
  Tensor a = Tensor::zeros(Shape{2}, dtype).set_requires_grad();
  Tensor b = Tensor::zeros(Shape{1, 1}, dtype).set_requires_grad();
  Tensor unused = Tensor::zeros(Shape{3}, dtype).set_requires_grad();
  a.set_grad(Tensor::from_vector({3.0, 4.0}, Shape{2}, dtype));
  b.set_grad(Tensor::from_vector({12.0}, Shape{1, 1}, dtype));
  return {{"a", a}, {"b", b}, {"unused", unused}};
}
}  // namespace

TEST_CASE("optim/clip: clip_grad_norm scales by max_norm / (norm + 1e-6) when below 1") {
  for (DType dtype : {DType::F64, DType::F32}) {
    const double tol = dtype == DType::F64 ? 1e-15 : 1e-7;
    NamedTensors params = params_with_grads(dtype);
    // total norm sqrt(9 + 16 + 144) = 13; scale = 6.5 / (13 + 1e-6).
    CHECK(clip_grad_norm(params, 6.5) == relative_approx(13.0, 1e-15));
    std::vector<double> a = params[0].tensor.grad().to_vector();
    CHECK(a[0] == relative_approx(1.4999998846153937, tol));
    CHECK(a[1] == relative_approx(1.9999998461538582, tol));
    CHECK(params[1].tensor.grad().item() == relative_approx(5.999999538461575, tol));
    CHECK_FALSE(params[2].tensor.grad().defined());

    NamedTensors loose = params_with_grads(dtype);
    CHECK(clip_grad_norm(loose, 20.0) == relative_approx(13.0, 1e-15));
    CHECK(loose[0].tensor.grad().to_vector() == std::vector<double>{3.0, 4.0});
  }
  CHECK(clip_grad_norm({}, 1.0) == 0.0);
  NamedTensors params = params_with_grads(DType::F64);
  CHECK_THROWS_AS(clip_grad_norm(params, -1.0), ConfigError);
  CHECK_THROWS_AS(clip_grad_norm(params, std::nan("")), ConfigError);
}

TEST_CASE("optim/clip: a non-finite norm leaves gradients unchanged and is reported") {
  NamedTensors params = params_with_grads(DType::F32);
  params[0].tensor.grad().data<float>()[1] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(all_grads_finite(params));
  CHECK(std::isinf(clip_grad_norm(params, 1.0)));
  CHECK(params[1].tensor.grad().item() == 12.0);
  params[0].tensor.grad().data<float>()[1] = std::nanf("");
  CHECK_FALSE(all_grads_finite(params));
  CHECK(std::isnan(clip_grad_norm(params, 1.0)));
  CHECK(all_grads_finite(params_with_grads(DType::F64)));
  CHECK(all_grads_finite({}));
}

TEST_CASE("optim/clip: clip_grad_value clamps to [-clip, clip]") {
  Tensor w = Tensor::zeros(Shape{2, 2}, DType::F64).set_requires_grad();
  w.set_grad(Tensor::from_vector({-3.0, 0.5, 2.0, std::nan("")}, Shape{2, 2}, DType::F64));
  NamedTensors params = {{"w", w}, {"no_grad", Tensor::zeros(Shape{1})}};
  clip_grad_value(params, 1.0);
  std::vector<double> g = w.grad().to_vector();
  CHECK(g[0] == -1.0);
  CHECK(g[1] == 0.5);
  CHECK(g[2] == 1.0);
  CHECK(std::isnan(g[3]));
  CHECK_THROWS_AS(clip_grad_value(params, -0.1), ConfigError);
}

TEST_CASE("optim/schedule: constant, exponential and cosine against hand values") {
  LrSchedule constant = LrSchedule::constant(1e-3);
  CHECK(constant.lr_at(0) == 1e-3);
  CHECK(constant.lr_at(123456) == 1e-3);

  LrSchedule exponential = LrSchedule::exponential(1e-3, 0.9);
  CHECK(exponential.lr_at(0) == 1e-3);
  CHECK(exponential.lr_at(3) == relative_approx(0.0007290000000000002, 1e-15));  // 1e-3 * 0.9^3

  // eta_min + (lr0 - eta_min) (1 + cos(pi t / 10)) / 2 with lr0 = 1e-3, eta_min = 1e-5.
  LrSchedule cosine = LrSchedule::cosine(1e-3, 10, 1e-5);
  CHECK(cosine.lr_at(0) == relative_approx(1e-3, 1e-15));
  CHECK(cosine.lr_at(2) == relative_approx(0.000905463412215599, 1e-14));
  CHECK(cosine.lr_at(5) == relative_approx(5.05e-4, 1e-14));
  CHECK(cosine.lr_at(10) == relative_approx(1e-5, 1e-14));
  CHECK(cosine.lr_at(15) == relative_approx(0.0005049999999999999, 1e-14));  // closed form rises again
  CHECK(cosine.kind_name() == std::string("cosine"));

  LrSchedule named = LrSchedule::from_name("exponential", 2e-3, 0.5, 1, 0.0);
  CHECK(named.kind() == LrScheduleKind::Exponential);
  CHECK(named.lr_at(2) == 5e-4);
}

TEST_CASE("optim/schedule: invalid settings throw ConfigError") {
  CHECK_THROWS_AS(LrSchedule::constant(-1.0), ConfigError);
  CHECK_THROWS_AS(LrSchedule::exponential(1e-3, 0.0), ConfigError);
  CHECK_THROWS_AS(LrSchedule::cosine(1e-3, 0), ConfigError);
  CHECK_THROWS_AS(LrSchedule::constant(1e-3).lr_at(-1), ConfigError);
  CHECK_THROWS_WITH_AS(LrSchedule::from_name("linear", 1e-3, 1.0, 1, 0.0), doctest::Contains("\"linear\""),
                       ConfigError);
}
