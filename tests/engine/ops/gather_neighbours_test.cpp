// Tests of gather_neighbours: values by hand, the gradient of repeated neighbours, an f64 gradcheck
// with knn indices, and every validation error.
#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/ops/gather_neighbours/gather_neighbours.h"
#include "engine/ops/knn/knn.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

TEST_CASE("ops/gather_neighbours: values, indices within each group") {
  // x: 2 groups of 3 points with 2 channels; point p of group g holds (10 g + p, -(10 g + p)).
  Tensor x = Tensor::from_vector({0, 0, 1, -1, 2, -2, 10, -10, 11, -11, 12, -12}, Shape{2, 3, 2}, DType::F32);
  const std::vector<int64_t> index = {2, 1, 0, 0, 1, 1,   // group 0: neighbours of points 0, 1, 2
                                      1, 2, 2, 0, 0, 0};  // group 1
  Tensor y = gather_neighbours(x, index, 2);
  CHECK(y.shape() == Shape{2, 3, 2, 2});
  CHECK(y.to_vector() == std::vector<double>{2, -2, 1, -1, 0, 0, 0, 0, 1, -1, 1, -1,
                                             11, -11, 12, -12, 12, -12, 10, -10, 10, -10, 10, -10});
  CHECK(gather_neighbours(x, {}, 0).shape() == Shape{2, 3, 0, 2});
}

TEST_CASE("ops/gather_neighbours: a point chosen several times collects every gradient") {
  Tensor x = Tensor::zeros(Shape{1, 3, 1}, DType::F64).set_requires_grad();
  backward(gather_neighbours(x, {1, 1, 0, 1, 0, 0}, 2),
           Tensor::from_vector({1, 2, 4, 8, 16, 32}, Shape{1, 3, 2, 1}, DType::F64));
  CHECK(x.grad().to_vector() == std::vector<double>{4 + 16 + 32, 1 + 2 + 8, 0});
}

TEST_CASE("ops/gather_neighbours: gradcheck f64") {
  Generator gen(312);
  Tensor x = random_normal(Shape{3, 6, 4}, gen, DType::F64).set_requires_grad();
  const std::vector<int64_t> index = knn(x, 3);
  testing::check_gradients("gather_neighbours", "[3,6,4] with its 3 nearest", [&index](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{gather_neighbours(in[0], index, 3)};
  }, {x}, {"x"});
  const std::vector<int64_t> repeated = {0, 0, 5, 0, 5, 5, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4,
                                         0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 5, 4, 3, 2, 1, 0,
                                         1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3};
  testing::check_gradients("gather_neighbours", "[3,6,4] repeated indices", [&repeated](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{gather_neighbours(in[0], repeated, 3)};
  }, {x}, {"x"});
}

TEST_CASE("ops/gather_neighbours: validation errors") {
  Tensor x = Tensor::zeros(Shape{2, 3, 4});
  using doctest::Contains;
  CHECK_THROWS_WITH_AS(gather_neighbours(x, {0, 1, 2}, 2), Contains("needs 12 indices"), ShapeError);
  CHECK_THROWS_WITH_AS(gather_neighbours(x, {0, 1, 2, 3, 0, 0}, 1), Contains("index[3] = 3"), ShapeError);
  CHECK_THROWS_WITH_AS(gather_neighbours(x, {0, 1, 2, -1, 0, 0}, 1), Contains("index[3] = -1"), ShapeError);
  CHECK_THROWS_WITH_AS(gather_neighbours(x, {}, -1), Contains("k = -1"), ShapeError);
  CHECK_THROWS_WITH_AS(gather_neighbours(Tensor::zeros(Shape{3, 4}), {0, 1, 2}, 1), Contains("gather_neighbours"),
                       ShapeError);
}
