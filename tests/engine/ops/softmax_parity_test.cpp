// CPU f32 vs CUDA f32 parity of softmax and log_softmax (rows shorter and longer than a warp, large
// logits).
#include <doctest/doctest.h>

#include "engine/ops/softmax/softmax.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/softmax: parity of softmax and log_softmax" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(71);
  for (const Shape& shape : {Shape{1000, 8}, Shape{40, 7, 33}, Shape{3, 500}, Shape{1}}) {
    Tensor x = testing::uniform_f32(shape, gen, -30, 30);
    testing::check_op_parity(
        "softmax " + shape.str(),
        [](const std::vector<Tensor>& in) {
          return std::vector<Tensor>{softmax(in[0]), log_softmax(in[0])};
        },
        {x}, {"x"}, {true}, testing::kReductionTolerance);
  }
}
