// Tests of the dropout op: values by hand, f64 gradcheck with a fixed mask, errors and edge cases.
#include "engine/ops/dropout/dropout.h"

#include <doctest/doctest.h>

#include <string>

#include "engine/autograd/tape.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

TEST_CASE("ops/dropout: values are x times the mask") {
  // p = 0.5: kept elements are scaled by 1/(1-p) = 2 (worked by hand).
  Tensor x = Tensor::from_vector({1.5, -2.0, 3.0, 0.25}, Shape{2, 2}, DType::F64);
  Tensor mask = Tensor::from_vector({2.0, 0.0, 0.0, 2.0}, Shape{2, 2}, DType::F64);
  CHECK(dropout(x, mask).to_vector() == std::vector<double>{3.0, 0.0, 0.0, 0.5});
}

TEST_CASE("ops/dropout: gradcheck f64 with a fixed mask") {
  Generator gen(5);
  Tensor x = random_normal(Shape{4, 6}, gen, DType::F64).set_requires_grad();
  Tensor mask = random_keep_mask(Shape{4, 6}, 0.3, gen, DType::F64);
  testing::check_gradients("dropout", "x[4,6], p = 0.3 mask",
                           [mask](const std::vector<Tensor>& in) { return std::vector<Tensor>{dropout(in[0], mask)}; },
                           {x}, {"x"});
}

TEST_CASE("ops/dropout: the backward pass multiplies by the mask and never touches it") {
  Tensor x = Tensor::from_vector({1.0, 2.0, 3.0}, Shape{3}, DType::F64).set_requires_grad();
  Tensor mask = Tensor::from_vector({0.0, 4.0, 4.0}, Shape{3}, DType::F64);
  backward(dropout(x, mask), Tensor::from_vector({1.0, 0.5, -1.0}, Shape{3}, DType::F64));
  CHECK(x.grad().to_vector() == std::vector<double>{0.0, 2.0, -4.0});
  CHECK(!mask.grad().defined());
}

TEST_CASE("ops/dropout: empty tensors, shape and dtype errors") {
  CHECK(dropout(Tensor::zeros(Shape{0, 4}), Tensor::zeros(Shape{0, 4})).shape() == Shape{0, 4});
  try {
    dropout(Tensor::zeros(Shape{2, 3}), Tensor::zeros(Shape{3, 2}));
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    CHECK(std::string(e.what()).find("dropout") != std::string::npos);
    CHECK(std::string(e.what()).find("[2, 3]") != std::string::npos);
    CHECK(std::string(e.what()).find("[3, 2]") != std::string::npos);
  }
  CHECK_THROWS_AS(dropout(Tensor::zeros(Shape{2}), Tensor::zeros(Shape{2}, DType::F64)), TypeError);
}
