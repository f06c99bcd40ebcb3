// CPU f32 vs CUDA f32 parity of the loss building blocks: normal_log_prob (rows narrower and wider than a
// warp) and mse (one long sum), forward and every gradient.
#include <doctest/doctest.h>

#include "engine/ops/loss/loss.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/loss: parity of normal_log_prob" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(81);
  for (const Shape& shape : {Shape{1000, 12}, Shape{300, 90}, Shape{7, 3, 5}, Shape{45}}) {
    Tensor z = testing::uniform_f32(shape, gen, -3, 3);
    testing::check_op_parity(
        "normal_log_prob " + shape.str(),
        [](const std::vector<Tensor>& in) { return std::vector<Tensor>{normal_log_prob(in[0])}; }, {z}, {"z"}, {true},
        testing::kReductionTolerance);
  }
}

TEST_CASE("cuda/loss: parity of mse" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(82);
  for (const Shape& shape : {Shape{10000}, Shape{33, 7}, Shape{1}}) {
    Tensor a = testing::uniform_f32(shape, gen, -3, 3), b = testing::uniform_f32(shape, gen, -3, 3);
    testing::check_op_parity(
        "mse " + shape.str(), [](const std::vector<Tensor>& in) { return std::vector<Tensor>{mse(in[0], in[1])}; },
        {a, b}, {"a", "b"}, {true, true}, testing::kReductionTolerance);
  }
}
