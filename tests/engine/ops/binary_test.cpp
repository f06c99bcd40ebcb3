// Tests of add, sub, mul, div with broadcasting and of the scalar forms: values (by hand),
// f64 gradchecks for both operands in every broadcast direction, accumulation, errors.
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/ops/binary/binary.h"
#include "engine/random/generator.h"
#include "tests/support/gradcheck_table.h"

using namespace flowjet;

namespace {

// Values with |v| in [0.5, 1.5] and random signs, so division stays well away from zero.
Tensor away_from_zero(const Shape& shape, Generator& gen) {
  Tensor x = random_uniform(shape, gen, DType::F64, Device::CPU, 0.5, 1.5);
  Tensor signs = random_uniform(shape, gen, DType::F64);
  for (int64_t i = 0; i < x.numel(); ++i)
    if (signs.data<double>()[i] < 0.5) x.data<double>()[i] = -x.data<double>()[i];
  return x.set_requires_grad();
}

Tensor f64(const std::vector<double>& values, const Shape& shape) {
  return Tensor::from_vector(values, shape, DType::F64);
}

}  // namespace

TEST_CASE("ops/binary: values with equal shapes, rows, columns and scalars") {
  Tensor a = f64({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  // Expected values worked out by hand.
  CHECK(add(a, f64({10, 20, 30}, Shape{3})).to_vector() == std::vector<double>{11, 22, 33, 14, 25, 36});
  CHECK(sub(a, f64({10, 20, 30}, Shape{1, 3})).to_vector() == std::vector<double>{-9, -18, -27, -6, -15, -24});
  CHECK(mul(a, f64({2, -1}, Shape{2, 1})).to_vector() == std::vector<double>{2, 4, 6, -4, -5, -6});
  CHECK(div(a, f64({2}, Shape{})).to_vector() == std::vector<double>{0.5, 1, 1.5, 2, 2.5, 3});
  CHECK(div(f64({12}, Shape{1}), a).to_vector() == std::vector<double>{12, 6, 4, 3, 2.4, 2});
  CHECK(mul(a, a).to_vector() == std::vector<double>{1, 4, 9, 16, 25, 36});
  // [2, 1] with [1, 3]: both stretch into [2, 3].
  Tensor outer = add(f64({10, 20}, Shape{2, 1}), f64({1, 2, 3}, Shape{1, 3}));
  CHECK(outer.shape() == Shape{2, 3});
  CHECK(outer.to_vector() == std::vector<double>{11, 12, 13, 21, 22, 23});
  // [2, 1, 2] with [3, 1] -> [2, 3, 2]: out[i, j, k] = a[i, 0, k] * b[j, 0].
  Tensor c = mul(f64({1, 2, 3, 4}, Shape{2, 1, 2}), f64({1, 10, 100}, Shape{3, 1}));
  CHECK(c.shape() == Shape{2, 3, 2});
  CHECK(c.to_vector() == std::vector<double>{1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400});
}

TEST_CASE("ops/binary: scalar forms and operators") {
  Tensor x = f64({1, -2, 4}, Shape{3});
  CHECK(add_scalar(x, 1.5).to_vector() == std::vector<double>{2.5, -0.5, 5.5});
  CHECK(mul_scalar(x, -2).to_vector() == std::vector<double>{-2, 4, -8});
  CHECK((x * 2.0).to_vector() == std::vector<double>{2, -4, 8});
  CHECK((2.0 * x).to_vector() == std::vector<double>{2, -4, 8});
  CHECK((x + 1.0).to_vector() == std::vector<double>{2, -1, 5});
  CHECK((1.0 + x).to_vector() == std::vector<double>{2, -1, 5});
  CHECK((x - 1.0).to_vector() == std::vector<double>{0, -3, 3});
  CHECK((1.0 - x).to_vector() == std::vector<double>{0, 3, -3});
  CHECK((x / 2.0).to_vector() == std::vector<double>{0.5, -1, 2});
  CHECK((-x).to_vector() == std::vector<double>{-1, 2, -4});
  CHECK((x + x * x - x / x).to_vector() == std::vector<double>{1, 1, 19});
  CHECK(std::signbit(mul_scalar(f64({-0.0}, Shape{1}), 1.0).item()));
}

TEST_CASE("ops/binary: f32 matches the same computation in f64") {
  Generator gen(3);
  Tensor a = random_normal(Shape{4, 5}, gen, DType::F64);
  Tensor b = random_uniform(Shape{5}, gen, DType::F64, Device::CPU, 0.5, 2.0);
  std::vector<double> want = div(a, b).to_vector();
  std::vector<double> got = div(a.to(DType::F32), b.to(DType::F32)).to_vector();
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-6));
}

TEST_CASE("ops/binary: gradcheck f64, every kind and broadcast direction") {
  Generator gen(5);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {Shape{3, 4}, Shape{3, 4}},       {Shape{3, 4}, Shape{}},        {Shape{1}, Shape{3, 4}},
      {Shape{3, 4}, Shape{4}},          {Shape{1, 4}, Shape{3, 4}},    {Shape{3, 4}, Shape{3, 1}},
      {Shape{3, 1}, Shape{3, 4}},       {Shape{3, 1}, Shape{1, 4}},    {Shape{2, 1, 3, 1}, Shape{4, 1, 2}},
      {Shape{2, 3, 4}, Shape{2, 1, 4}},
  };
  for (BinaryKind kind : {BinaryKind::Add, BinaryKind::Sub, BinaryKind::Mul, BinaryKind::Div}) {
    for (const auto& [sa, sb] : cases) {
      Tensor a = away_from_zero(sa, gen), b = away_from_zero(sb, gen);
      testing::check_gradients(
          binary_name(kind), sa.str() + " with " + sb.str(),
          [kind](const std::vector<Tensor>& in) { return std::vector<Tensor>{binary(kind, in[0], in[1])}; }, {a, b},
          {"a", "b"});
    }
  }
}

TEST_CASE("ops/binary: gradcheck f64, scalar forms") {
  Generator gen(6);
  Tensor x = away_from_zero(Shape{2, 3}, gen);
  testing::check_gradients("add_scalar", "x + 1.5", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{add_scalar(in[0], 1.5)};
  }, {x}, {"x"});
  testing::check_gradients("mul_scalar", "x * -2.5", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{mul_scalar(in[0], -2.5)};
  }, {x}, {"x"});
  testing::check_gradients("rsub_scalar", "1 - x", [](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{1.0 - in[0]};
  }, {x}, {"x"});
}

TEST_CASE("ops/binary: large broadcasts split over threads agree with a plain loop") {
  Generator gen(8);
  const int64_t rows = 700, cols = 131;  // more than one parallel chunk in every path
  Tensor a = random_normal(Shape{rows, cols}, gen, DType::F64).set_requires_grad();
  Tensor b = random_normal(Shape{cols}, gen, DType::F64).set_requires_grad();
  Tensor c = random_normal(Shape{rows, 1}, gen, DType::F64).set_requires_grad();
  Tensor y = mul(add(a, b), c);
  const double* pa = a.data<double>();
  const double* pb = b.data<double>();
  const double* pc = c.data<double>();
  const double* py = y.data<double>();
  bool same = true;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) same = same && py[i * cols + j] == (pa[i * cols + j] + pb[j]) * pc[i];
  CHECK(same);
  backward(y, Tensor::ones(y.shape(), DType::F64));
  // d/db_j sum_ij (a_ij + b_j) c_i = sum_i c_i; d/dc_i = sum_j (a_ij + b_j).
  double sum_c = 0;
  for (int64_t i = 0; i < rows; ++i) sum_c += pc[i];
  CHECK(b.grad().to_vector()[5] == doctest::Approx(sum_c).epsilon(1e-12));
  double row3 = 0;
  for (int64_t j = 0; j < cols; ++j) row3 += pa[3 * cols + j] + pb[j];
  CHECK(c.grad().to_vector()[3] == doctest::Approx(row3).epsilon(1e-12));
}

TEST_CASE("ops/binary: a tensor used twice accumulates both gradients") {
  Tensor x = f64({0.5, -2, 3}, Shape{3}).set_requires_grad();
  Tensor y = x * x + x;
  backward(y, Tensor::ones(Shape{3}, DType::F64));
  CHECK(x.grad().to_vector() == std::vector<double>{2, -3, 7});  // dy/dx = 2x + 1
}

TEST_CASE("ops/binary: nothing is recorded without requires_grad or inside NoGradScope") {
  tape().clear();
  Tensor x = f64({1, 2}, Shape{2});
  Tensor w = f64({3, 4}, Shape{2}).set_requires_grad();
  Tensor unused = x * x + 1.0;
  CHECK(tape().empty());
  {
    NoGradScope no_grad;
    Tensor y = x * w - w / 2.0;
    CHECK(!y.requires_grad());
  }
  CHECK(tape().empty());
  Tensor z = x * w;
  CHECK(tape().size() == 1);
  CHECK(z.requires_grad());
  tape().clear();
}

TEST_CASE("ops/binary: empty tensors, shape and dtype errors") {
  CHECK(add(Tensor::zeros(Shape{0, 3}), Tensor::ones(Shape{3})).shape() == Shape{0, 3});
  try {
    mul(Tensor::zeros(Shape{2, 3}), Tensor::zeros(Shape{4, 3}));
    FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    const std::string message = e.what();
    CHECK(message.find("mul") != std::string::npos);
    CHECK(message.find("[2, 3]") != std::string::npos);
    CHECK(message.find("[4, 3]") != std::string::npos);
  }
  CHECK_THROWS_AS(add(Tensor::zeros(Shape{3}), Tensor::zeros(Shape{2})), ShapeError);
  CHECK_THROWS_AS(add(Tensor::zeros(Shape{3}), Tensor::zeros(Shape{3}, DType::F64)), TypeError);
  CHECK_THROWS_AS(add(Tensor::zeros(Shape{3}), Tensor()), TypeError);
}
