// Tests of cumsum over the last axis: values by hand, f64 gradcheck, empty input and errors.
#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/ops/cumsum/cumsum.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

TEST_CASE("ops/cumsum: values along the last axis") {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, -1, 0.5, 0.25, 2}, Shape{2, 4}, DType::F64);
  CHECK(cumsum(x).to_vector() == std::vector<double>{1, 3, 6, 10, -1, -0.5, -0.25, 1.75});
  CHECK(cumsum(x.to(DType::F32)).to_vector() == std::vector<double>{1, 3, 6, 10, -1, -0.5, -0.25, 1.75});
  CHECK(cumsum(Tensor::from_vector({5}, Shape{1}, DType::F64)).to_vector() == std::vector<double>{5});
}

TEST_CASE("ops/cumsum: the gradient is a cumulative sum from the right") {
  Tensor x = Tensor::zeros(Shape{1, 4}, DType::F64).set_requires_grad();
  backward(cumsum(x), Tensor::from_vector({1, 2, 3, 4}, Shape{1, 4}, DType::F64));
  CHECK(x.grad().to_vector() == std::vector<double>{10, 9, 7, 4});  // sum of g_j for j >= k
}

TEST_CASE("ops/cumsum: gradcheck f64") {
  Generator gen(41);
  for (const Shape& shape : {Shape{3, 5}, Shape{2, 2, 4}, Shape{6}}) {
    Tensor x = random_normal(shape, gen, DType::F64).set_requires_grad();
    testing::check_gradients("cumsum", "rows of " + shape.str(), [](const std::vector<Tensor>& in) {
      return std::vector<Tensor>{cumsum(in[0])};
    }, {x}, {"x"});
  }
}

TEST_CASE("ops/cumsum: empty batch and errors") {
  CHECK(cumsum(Tensor::zeros(Shape{0, 3})).shape() == Shape{0, 3});
  CHECK(cumsum(Tensor::zeros(Shape{3, 0})).shape() == Shape{3, 0});
  CHECK_THROWS_AS(cumsum(Tensor::zeros(Shape{})), ShapeError);
}
