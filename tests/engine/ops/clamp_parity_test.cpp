// CPU f32 vs CUDA f32 parity of clamp: values on both sides of and at the bounds, forward and backward.
#include <doctest/doctest.h>

#include <limits>

#include "engine/ops/clamp/clamp.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/clamp: parity inside, outside and at the bounds" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(51);
  Tensor x = testing::uniform_f32(Shape{1000, 33}, gen, -3, 3);
  std::vector<double> values = x.to_vector();
  values[0] = -1.0;  // exactly at the bounds: gradient passes (PyTorch)
  values[1] = 2.0;
  x = Tensor::from_vector(values, x.shape());
  const double inf = std::numeric_limits<double>::infinity();
  testing::check_op_parity(
      "clamp",
      [inf](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{clamp(in[0], -1.0, 2.0), clamp(in[0], 0.5, inf)};
      },
      {x}, {"x"}, {true}, testing::kElementwiseTolerance);
}
