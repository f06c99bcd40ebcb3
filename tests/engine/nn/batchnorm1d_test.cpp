// Tests of the BatchNorm1d/BatchNorm2d layers: initial state and names, running statistics updated only
// in training mode (values worked by hand), deterministic eval mode, rank and batch-size errors.
#include "engine/nn/batchnorm1d.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "engine/core/error.h"

using namespace flowjet;

TEST_CASE("nn/batchnorm1d: PyTorch's initial state and names") {
  BatchNorm1d norm(3);
  CHECK(norm.eps() == 1e-5);
  CHECK(norm.momentum() == 0.1);
  CHECK(norm.gamma().to_vector() == std::vector<double>{1, 1, 1});
  CHECK(norm.beta().to_vector() == std::vector<double>{0, 0, 0});
  CHECK(norm.running_mean().to_vector() == std::vector<double>{0, 0, 0});
  CHECK(norm.running_var().to_vector() == std::vector<double>{1, 1, 1});
  NamedTensors params = norm.named_parameters(), buffers = norm.named_buffers();
  REQUIRE(params.size() == 2);
  CHECK(params[0].name == "weight");
  CHECK(params[1].name == "bias");
  REQUIRE(buffers.size() == 2);
  CHECK(buffers[0].name == "running_mean");
  CHECK(buffers[1].name == "running_var");
  CHECK(norm.parameter_count() == 6);
  CHECK_THROWS_AS(BatchNorm1d(0), ConfigError);
  CHECK_THROWS_AS(BatchNorm1d(2, 0.0), ConfigError);
}

TEST_CASE("nn/batchnorm1d: running statistics change only in training mode") {
  BatchNorm1d norm(2, 1e-3, 0.1, DType::F64);
  // Columns {1, 3} and {2, 6}: mean {2, 4}, unbiased var {2, 8} (by hand), so the running stats become
  // 0.1 * {2, 4} = {0.2, 0.4} and 0.9 + 0.1 * {2, 8} = {1.1, 1.7}.
  Tensor x = Tensor::from_vector({1, 2, 3, 6}, Shape{2, 2}, DType::F64);
  norm(x);
  CHECK(norm.running_mean().to_vector()[0] == doctest::Approx(0.2).epsilon(1e-15));
  CHECK(norm.running_mean().to_vector()[1] == doctest::Approx(0.4).epsilon(1e-15));
  CHECK(norm.running_var().to_vector()[0] == doctest::Approx(1.1).epsilon(1e-15));
  CHECK(norm.running_var().to_vector()[1] == doctest::Approx(1.7).epsilon(1e-15));
  norm.eval();
  std::vector<double> mean = norm.running_mean().to_vector(), var = norm.running_var().to_vector();
  std::vector<double> y1 = norm(x).to_vector();
  std::vector<double> y2 = norm(x).to_vector();
  CHECK(y1 == y2);  // eval mode is deterministic
  CHECK(norm.running_mean().to_vector() == mean);
  CHECK(norm.running_var().to_vector() == var);
  // (1 - 0.2) / sqrt(1.1 + 1e-3) with gamma 1, beta 0
  CHECK(y1[0] == doctest::Approx(0.8 / std::sqrt(1.101)).epsilon(1e-14));
  // One sample is fine in eval mode, refused in training mode.
  CHECK(norm(Tensor::ones(Shape{1, 2}, DType::F64)).numel() == 2);
  norm.train();
  try {
    norm(Tensor::ones(Shape{1, 2}, DType::F64));
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    CHECK(std::string(e.what()).find("[1, 2]") != std::string::npos);
  }
}

TEST_CASE("nn/batchnorm1d: accepted ranks; BatchNorm2d takes four dimensions") {
  BatchNorm1d norm1(2);
  CHECK(norm1(Tensor::ones(Shape{3, 2, 4})).shape() == Shape{3, 2, 4});
  try {
    norm1(Tensor::ones(Shape{3, 2, 4, 5}));
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    CHECK(std::string(e.what()).find("BatchNorm1d") != std::string::npos);
    CHECK(std::string(e.what()).find("[3, 2, 4, 5]") != std::string::npos);
  }
  BatchNorm2d norm2(2);
  CHECK(norm2(Tensor::ones(Shape{3, 2, 4, 5})).shape() == Shape{3, 2, 4, 5});
  CHECK_THROWS_AS(norm2(Tensor::ones(Shape{3, 2})), ShapeError);
  CHECK_THROWS_AS(norm1(Tensor::ones(Shape{3, 5})), ShapeError);  // wrong channel count
}
