// CPU f32 vs CUDA f32 parity of the fused gate and glu (gate inputs far into both tails of the sigmoid).
#include <doctest/doctest.h>

#include "engine/ops/gate/gate.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/gate: parity of gate and glu, forward and both gradients" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(52);
  Tensor x = testing::uniform_f32(Shape{700, 64}, gen, -3, 3), g = testing::uniform_f32(Shape{700, 64}, gen, -40, 40);
  testing::check_op_parity(
      "gate", [](const std::vector<Tensor>& in) { return std::vector<Tensor>{gate(in[0], in[1])}; }, {x, g}, {"x", "g"},
      {true, true}, testing::kElementwiseTolerance);
  Tensor t = testing::uniform_f32(Shape{50, 3, 18}, gen, -10, 10);
  testing::check_op_parity(
      "glu", [](const std::vector<Tensor>& in) { return std::vector<Tensor>{glu(in[0])}; }, {t}, {"t"}, {true},
      testing::kElementwiseTolerance);
}
