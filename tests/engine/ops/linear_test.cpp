// Tests of linear and matmul: values against hand-computed products, f64 gradchecks, shape errors.
#include <doctest/doctest.h>

#include "engine/ops/linear/linear.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

TEST_CASE("ops/linear: values of a small product") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, Shape{2, 3}, DType::F64);
  Tensor w = Tensor::from_vector({1, 0, -1, 2, 1, 0.5}, Shape{2, 3}, DType::F64);
  Tensor b = Tensor::from_vector({0.5, -1}, Shape{2}, DType::F64);
  CHECK(linear(x, w, b).to_vector() == std::vector<double>{-1.5, 4.5, -1.5, 15});
  CHECK(matmul(x, Tensor::from_vector({1, 0, 0, 1, 1, 1}, Shape{3, 2}, DType::F64)).to_vector() ==
        std::vector<double>{4, 5, 10, 11});
}

TEST_CASE("ops/linear: gradcheck f64") {
  Generator gen(11);
  Tensor x = random_normal(Shape{5, 4}, gen, DType::F64).set_requires_grad();
  Tensor w = random_normal(Shape{3, 4}, gen, DType::F64).set_requires_grad();
  Tensor b = random_normal(Shape{3}, gen, DType::F64).set_requires_grad();
  testing::check_gradients("linear", "x[5,4] W[3,4] b[3]",
                           [](const std::vector<Tensor>& in) { return std::vector<Tensor>{linear(in[0], in[1], in[2])}; },
                           {x, w, b}, {"x", "weight", "bias"});
  Tensor a = random_normal(Shape{4, 6}, gen, DType::F64).set_requires_grad();
  Tensor c = random_normal(Shape{6, 3}, gen, DType::F64).set_requires_grad();
  testing::check_gradients("matmul", "A[4,6] B[6,3]",
                           [](const std::vector<Tensor>& in) { return std::vector<Tensor>{matmul(in[0], in[1])}; },
                           {a, c}, {"a", "b"});
}

TEST_CASE("ops/linear: shape and dtype errors name both shapes") {
  Tensor x = Tensor::zeros(Shape{2, 3});
  Tensor w = Tensor::zeros(Shape{4, 5});
  try {
    linear(x, w);
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    CHECK(std::string(e.what()).find("[2, 3]") != std::string::npos);
    CHECK(std::string(e.what()).find("[4, 5]") != std::string::npos);
  }
  CHECK_THROWS_AS(linear(x, Tensor::zeros(Shape{4, 3}, DType::F64)), TypeError);
  CHECK_THROWS_AS(matmul(x, Tensor::zeros(Shape{2, 3})), ShapeError);
}
