// CPU f32 vs CUDA f32 parity of every unary kind, forward and backward, on the same random inputs.
// Skipped (and said so once) when no CUDA device is present.
#include <doctest/doctest.h>

#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;
using testing::check_op_parity;
using testing::uniform_f32;

TEST_CASE("cuda/unary: parity of every kind, forward and backward" * doctest::skip(testing::cuda_parity_skipped())) {
  const UnaryKind kinds[] = {UnaryKind::Neg,     UnaryKind::Exp,     UnaryKind::Log,  UnaryKind::Sqrt,
                             UnaryKind::Square,  UnaryKind::Abs,     UnaryKind::Sin,  UnaryKind::Cos,
                             UnaryKind::Sinh,    UnaryKind::Cosh,    UnaryKind::Tanh, UnaryKind::Relu,
                             UnaryKind::Sigmoid, UnaryKind::Softplus};
  Generator gen(11);
  for (UnaryKind kind : kinds) {
    const bool positive = kind == UnaryKind::Log || kind == UnaryKind::Sqrt;
    // 1000 x 37 crosses many blocks and a ragged tail; +-30 reaches softplus' threshold and sigmoid's branches.
    Tensor x =
        positive ? uniform_f32(Shape{1000, 37}, gen, 0.05, 20.0) : uniform_f32(Shape{1000, 37}, gen, -30.0, 30.0);
    if (kind == UnaryKind::Exp || kind == UnaryKind::Sinh || kind == UnaryKind::Cosh)
      x = uniform_f32(Shape{1000, 37}, gen, -8, 8);
    check_op_parity(
        unary_name(kind), [kind](const std::vector<Tensor>& in) { return std::vector<Tensor>{unary(kind, in[0])}; },
        {x}, {"x"}, {true}, testing::kElementwiseTolerance);
  }
}
