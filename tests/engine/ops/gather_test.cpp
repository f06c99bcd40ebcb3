// Tests of gather_columns and scatter_columns: values by hand, f64 gradchecks, the round trip used
// by coupling layers, repeated indices, and every validation error.
#include <string>

#include <doctest/doctest.h>

#include "engine/autograd/tape.h"
#include "engine/ops/gather/gather.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {
// Runs fn and checks it throws ShapeError whose message contains `needle`.
template <class Fn>
void check_shape_error(Fn fn, const std::string& needle) {
  try {
    fn();
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(needle) != std::string::npos);
  }
}
}  // namespace

TEST_CASE("ops/gather: gather and scatter values") {
  Tensor x = Tensor::from_vector({0, 1, 2, 3, 10, 11, 12, 13}, Shape{2, 4}, DType::F64);
  Tensor picked = gather_columns(x, {3, 0});
  CHECK(picked.shape() == Shape{2, 2});
  CHECK(picked.to_vector() == std::vector<double>{3, 0, 13, 10});
  CHECK(gather_columns(x, {}).shape() == Shape{2, 0});
  Tensor left = Tensor::from_vector({1, 2, 3, 4}, Shape{2, 2}, DType::F32);
  Tensor right = Tensor::from_vector({5, 6, 7, 8}, Shape{2, 2}, DType::F32);
  Tensor joined = scatter_columns({left, right}, {{1, 3}, {2, 0}}, 4);
  CHECK(joined.shape() == Shape{2, 4});
  CHECK(joined.to_vector() == std::vector<double>{6, 1, 5, 2, 8, 3, 7, 4});
}

TEST_CASE("ops/gather: split into identity and transform columns and reassemble") {
  Generator gen(81);
  Tensor x = random_normal(Shape{5, 6}, gen, DType::F64);
  const std::vector<int64_t> identity = {0, 2, 4}, transform = {5, 3, 1};
  Tensor back = scatter_columns({gather_columns(x, identity), gather_columns(x, transform)}, {identity, transform}, 6);
  CHECK(back.to_vector() == x.to_vector());
}

TEST_CASE("ops/gather: gradcheck f64") {
  Generator gen(82);
  Tensor x = random_normal(Shape{3, 5}, gen, DType::F64).set_requires_grad();
  testing::check_gradients("gather_columns", "[3,5] columns {4,1,1,0}", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{gather_columns(in[0], {4, 1, 1, 0})};
  }, {x}, {"x"});
  Tensor a = random_normal(Shape{3, 2}, gen, DType::F64).set_requires_grad();
  Tensor b = random_normal(Shape{3, 3}, gen, DType::F64).set_requires_grad();
  testing::check_gradients("scatter_columns", "[3,2] at {4,0}, [3,3] at {1,3,2}", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{scatter_columns({in[0], in[1]}, {{4, 0}, {1, 3, 2}}, 5)};
  }, {a, b}, {"part0", "part1"});
}

TEST_CASE("ops/gather: repeated gather indices add their gradients") {
  Tensor x = Tensor::zeros(Shape{1, 3}, DType::F64).set_requires_grad();
  backward(gather_columns(x, {2, 2, 0}), Tensor::from_vector({1, 10, 100}, Shape{1, 3}, DType::F64));
  CHECK(x.grad().to_vector() == std::vector<double>{100, 0, 11});
}

TEST_CASE("ops/gather: index validation errors") {
  Tensor x = Tensor::zeros(Shape{2, 4});
  check_shape_error([&] { gather_columns(x, {0, 4}); }, "index[1] = 4");
  check_shape_error([&] { gather_columns(x, {-1}); }, "index[0] = -1");
  check_shape_error([&] { gather_columns(Tensor::zeros(Shape{8}), {0}); }, "gather_columns");
  Tensor p = Tensor::zeros(Shape{2, 2}), q = Tensor::zeros(Shape{2, 2});
  check_shape_error([&] { scatter_columns({p, q}, {{0, 1}, {1, 2}}, 4); }, "column 1");
  check_shape_error([&] { scatter_columns({p, q}, {{0, 1}, {2, 3}}, 5); }, "column 4");
  check_shape_error([&] { scatter_columns({p, q}, {{0, 1}, {2, 9}}, 4); }, "indices[1][1] = 9");
  check_shape_error([&] { scatter_columns({p, q}, {{0, 1}, {2}}, 3); }, "part 1");
  check_shape_error([&] { scatter_columns({p, Tensor::zeros(Shape{3, 2})}, {{0, 1}, {2, 3}}, 4); }, "[3, 2]");
  check_shape_error([&] { scatter_columns({p}, {{0, 1}, {2, 3}}, 4); }, "index lists");
  check_shape_error([&] { scatter_columns({}, {}, 0); }, "scatter_columns");
  CHECK_THROWS_AS(scatter_columns({p, Tensor::zeros(Shape{2, 2}, DType::F64)}, {{0, 1}, {2, 3}}, 4), TypeError);
}
