// CPU f32 vs CUDA f32 parity of the fused gate_residual (gate inputs far into both tails of the sigmoid).
#include <doctest/doctest.h>

#include "engine/ops/fused/gate_residual.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;
using testing::uniform_f32;

TEST_CASE("cuda/gate_residual: parity forward and the gradients of h, t and g" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(72);
  Tensor h = uniform_f32(Shape{700, 64}, gen, -3, 3), t = uniform_f32(Shape{700, 64}, gen, -3, 3),
         g = uniform_f32(Shape{700, 64}, gen, -40, 40);
  testing::check_op_parity(
      "gate_residual",
      [](const std::vector<Tensor>& in) { return std::vector<Tensor>{gate_residual(in[0], in[1], in[2])}; },
      {h, t, g}, {"h", "t", "g"}, {true, true, true}, testing::kElementwiseTolerance);
}
