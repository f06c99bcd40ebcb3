// CPU f32 vs CUDA f32 parity of cumsum, forward and backward (the same summation order on both devices).
#include <doctest/doctest.h>

#include "engine/ops/cumsum/cumsum.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/cumsum: parity forward and backward" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(72);
  for (const Shape& shape : {Shape{1000, 9}, Shape{5, 3, 700}, Shape{0, 4}}) {
    Tensor x = testing::uniform_f32(shape, gen, -1, 1);
    testing::check_op_parity(
        "cumsum " + shape.str(), [](const std::vector<Tensor>& in) { return std::vector<Tensor>{cumsum(in[0])}; }, {x},
        {"x"}, {true}, testing::kElementwiseTolerance);
  }
}
