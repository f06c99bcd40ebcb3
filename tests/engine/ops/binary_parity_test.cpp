// CPU f32 vs CUDA f32 parity of add, sub, mul, div in every broadcast direction (gradients of stretched
// operands are sums over the stretched dims) and of the scalar forms.
#include <doctest/doctest.h>

#include <string>
#include <utility>

#include <fmt/format.h>

#include "engine/ops/binary/binary.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/binary: parity of add, sub, mul, div with broadcasting, both gradients" *
          doctest::skip(testing::cuda_parity_skipped())) {
  const std::pair<Shape, Shape> cases[] = {
      {Shape{300, 45}, Shape{300, 45}},     // same shape
      {Shape{300, 45}, Shape{45}},          // row vector: b's gradient sums 300 rows
      {Shape{300, 45}, Shape{300, 1}},      // column vector: b's gradient sums 45 columns
      {Shape{1}, Shape{300, 45}},           // one-element a
      {Shape{}, Shape{40, 3}},              // 0-d a
      {Shape{7, 1, 5}, Shape{1, 4, 1}},     // both stretched
      {Shape{2, 3, 4, 5}, Shape{3, 1, 5}},  // 4 dims
      {Shape{5000, 3}, Shape{3}},           // a long fold: one block per element of b
      {Shape{0, 3}, Shape{3}},              // empty output: b's gradient stays zero
  };
  const BinaryKind kinds[] = {BinaryKind::Add, BinaryKind::Sub, BinaryKind::Mul, BinaryKind::Div};
  Generator gen(31);
  for (const auto& [shape_a, shape_b] : cases) {
    Tensor a = testing::away_from_zero_f32(shape_a, gen), b = testing::away_from_zero_f32(shape_b, gen);
    for (BinaryKind kind : kinds) {
      testing::check_op_parity(
          fmt::format("{} {} {}", binary_name(kind), shape_a.str(), shape_b.str()),
          [kind](const std::vector<Tensor>& in) { return std::vector<Tensor>{binary(kind, in[0], in[1])}; }, {a, b},
          {"a", "b"}, {true, true}, testing::kReductionTolerance);
    }
  }
}

TEST_CASE("cuda/binary: parity of x * x (both operands one tensor)" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(32);
  testing::check_op_parity(
      "x * x", [](const std::vector<Tensor>& in) { return std::vector<Tensor>{in[0] * in[0]}; },
      {testing::uniform_f32(Shape{257, 3}, gen, -2, 2)}, {"x"}, {true}, testing::kElementwiseTolerance);
}

TEST_CASE("cuda/binary: parity of the scalar forms" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(33);
  Tensor x = testing::uniform_f32(Shape{1000, 37}, gen, -5, 5);
  testing::check_op_parity(
      "scalar forms",
      [](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{in[0] + 1.5, in[0] * -0.25, 3.0 - in[0], in[0] / 7.0};
      },
      {x}, {"x"}, {true}, testing::kElementwiseTolerance);
}
