// Tests of concat, slice, reshape and transpose: values by hand, f64 gradchecks (concat along
// axis 0 and 1, slice, reshape, transpose), a round trip, empty parts and errors.
#include <string>

#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/ops/shape/shape.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {
Tensor f64(const std::vector<double>& values, const Shape& shape) {
  return Tensor::from_vector(values, shape, DType::F64);
}
}  // namespace

TEST_CASE("ops/shape: concat values along axis 0 and 1") {
  Tensor a = f64({1, 2, 3, 4}, Shape{2, 2});
  Tensor b = f64({5, 6}, Shape{1, 2});
  Tensor c = f64({7, 8}, Shape{2, 1});
  Tensor rows = concat({a, b}, 0);
  CHECK(rows.shape() == Shape{3, 2});
  CHECK(rows.to_vector() == std::vector<double>{1, 2, 3, 4, 5, 6});
  Tensor columns = concat({c, a, c}, -1);
  CHECK(columns.shape() == Shape{2, 4});
  CHECK(columns.to_vector() == std::vector<double>{7, 1, 2, 7, 8, 3, 4, 8});
  Tensor empty_part = Tensor::zeros(Shape{2, 0}, DType::F64);
  CHECK(concat({a, empty_part}, 1).to_vector() == std::vector<double>{1, 2, 3, 4});
  CHECK(concat({a.to(DType::F32)}, 0).to_vector() == std::vector<double>{1, 2, 3, 4});
}

TEST_CASE("ops/shape: slice, reshape and transpose values") {
  Tensor x = f64({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Shape{3, 4});
  CHECK(slice(x, 0, 1, 3).to_vector() == std::vector<double>{4, 5, 6, 7, 8, 9, 10, 11});
  Tensor middle = slice(x, 1, 1, 3);
  CHECK(middle.shape() == Shape{3, 2});
  CHECK(middle.to_vector() == std::vector<double>{1, 2, 5, 6, 9, 10});
  CHECK(slice(x, -1, 2, 2).shape() == Shape{3, 0});
  Tensor r = reshape(x, Shape{2, 3, 2});
  CHECK(r.shape() == Shape{2, 3, 2});
  CHECK(r.to_vector() == x.to_vector());
  Tensor t = transpose(f64({1, 2, 3, 4, 5, 6}, Shape{2, 3}));
  CHECK(t.shape() == Shape{3, 2});
  CHECK(t.to_vector() == std::vector<double>{1, 4, 2, 5, 3, 6});
  // A transpose bigger than one tile, checked element by element.
  Generator gen(71);
  Tensor big = random_normal(Shape{70, 45}, gen, DType::F32);
  Tensor bt = transpose(big);
  bool same = true;
  for (int64_t i = 0; i < 70; ++i)
    for (int64_t j = 0; j < 45; ++j) same = same && bt.data<float>()[j * 70 + i] == big.data<float>()[i * 45 + j];
  CHECK(same);
}

TEST_CASE("ops/shape: gradcheck f64") {
  Generator gen(72);
  auto normal = [&gen](const Shape& s) { return random_normal(s, gen, DType::F64).set_requires_grad(); };
  Tensor a = normal(Shape{2, 3}), b = normal(Shape{4, 3}), c = normal(Shape{2, 5});
  testing::check_gradients("concat", "[2,3] [4,3] axis 0", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{concat({in[0], in[1]}, 0)};
  }, {a, b}, {"a", "b"});
  testing::check_gradients("concat", "[2,3] [2,5] [2,3] axis 1", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{concat({in[0], in[1], in[2]}, 1)};
  }, {a, c, normal(Shape{2, 3})}, {"a", "b", "c"});
  Tensor x = normal(Shape{3, 4, 5});
  for (int axis : {0, 1, 2}) {
    testing::check_gradients("slice", "[3,4,5] axis " + std::to_string(axis) + " [1,3)",
                             [axis](const std::vector<Tensor>& in) {
                               return std::vector<Tensor>{slice(in[0], axis, 1, 3)};
                             }, {x}, {"x"});
  }
  testing::check_gradients("reshape", "[3,4,5] -> [6,10]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{reshape(in[0], Shape{6, 10})};
  }, {x}, {"x"});
  testing::check_gradients("transpose", "[4,7]", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{transpose(in[0])};
  }, {normal(Shape{4, 7})}, {"x"});
}

TEST_CASE("ops/shape: slices concatenated back give the input and its gradient") {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, Shape{2, 3}).set_requires_grad();
  Tensor y = concat({slice(x, 1, 0, 1), slice(x, 1, 1, 3)}, 1);
  CHECK(y.to_vector() == x.to_vector());
  backward(transpose(reshape(y, Shape{3, 2})), f64({1, 2, 3, 4, 5, 6}, Shape{2, 3}));
  // reshape to [3, 2] then transpose: y.flat[k] lands at (k % 2, k / 2) of the [2, 3] seed.
  CHECK(x.grad().to_vector() == std::vector<double>{1, 4, 2, 5, 3, 6});
}

TEST_CASE("ops/shape: errors name the op and the shapes") {
  Tensor a = Tensor::zeros(Shape{2, 3});
  try {
    concat({a, Tensor::zeros(Shape{3, 2})}, 0);
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    const std::string message = e.what();
    CHECK(message.find("concat") != std::string::npos);
    CHECK(message.find("[2, 3]") != std::string::npos);
    CHECK(message.find("[3, 2]") != std::string::npos);
  }
  CHECK_THROWS_AS(concat({}, 0), ShapeError);
  CHECK_THROWS_AS(concat({a, Tensor::zeros(Shape{2, 3, 1})}, 0), ShapeError);
  CHECK_THROWS_AS(concat({a, Tensor::zeros(Shape{2, 3}, DType::F64)}, 0), TypeError);
  CHECK_THROWS_AS(concat({a}, 2), ShapeError);
  CHECK_THROWS_AS(slice(a, 1, 2, 4), ShapeError);
  CHECK_THROWS_AS(slice(a, 1, 2, 1), ShapeError);
  CHECK_THROWS_AS(slice(a, 0, -1, 1), ShapeError);
  try {
    reshape(a, Shape{4, 2});
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    const std::string message = e.what();
    CHECK(message.find("[2, 3]") != std::string::npos);
    CHECK(message.find("[4, 2]") != std::string::npos);
  }
  CHECK_THROWS_AS(transpose(Tensor::zeros(Shape{2, 3, 4})), ShapeError);
}
