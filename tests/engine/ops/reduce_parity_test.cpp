// CPU f32 vs CUDA f32 parity of sum, mean and max, over everything and along each axis, for short axes
// (one thread per output) and long ones (one block per output), with ties and NaNs for max.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "engine/ops/reduce/reduce.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/reduce: parity of full sum and mean" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(41);
  for (const Shape& shape : {Shape{7}, Shape{1000, 45}, Shape{3, 100001}, Shape{0}}) {
    Tensor x = testing::uniform_f32(shape, gen, -1, 3);
    testing::check_op_parity(
        "sum/mean " + shape.str(),
        [](const std::vector<Tensor>& in) {
          return std::vector<Tensor>{sum(in[0]), mean(in[0])};
        },
        {x}, {"x"}, {true}, testing::kReductionTolerance);
  }
}

TEST_CASE("cuda/reduce: parity of sum, mean and max along every axis" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(42);
  // Axes of length 1 to 2000 cover the one-thread-per-output and the one-block-per-output kernels.
  for (const Shape& shape : {Shape{2000, 22}, Shape{5, 40, 3}, Shape{33, 1, 64}, Shape{1, 2000}}) {
    Tensor x = testing::uniform_f32(shape, gen, -4, 4);
    for (int axis = 0; axis < shape.ndim(); ++axis) {
      for (bool keepdim : {false, true}) {
        testing::check_op_parity(
            fmt::format("reduce {} axis {}{}", shape.str(), axis, keepdim ? " keepdim" : ""),
            [axis, keepdim](const std::vector<Tensor>& in) {
              return std::vector<Tensor>{sum(in[0], axis, keepdim), mean(in[0], axis, keepdim),
                                         max(in[0], axis, keepdim)};
            },
            {x}, {"x"}, {true}, testing::kReductionTolerance);
      }
    }
  }
}

TEST_CASE("cuda/reduce: max picks the first maximum and lets NaN win, on short and long axes" *
          doctest::skip(testing::cuda_parity_skipped())) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int64_t width : {8, 300}) {
    // Row 0: ties at 2 and width-1; row 1: a NaN at 3 and another at width-2; row 2: all equal.
    std::vector<double> values(static_cast<std::size_t>(3 * width), 0.0);
    for (int64_t k = 0; k < width; ++k) values[static_cast<std::size_t>(k)] = -static_cast<double>(k);
    values[2] = values[static_cast<std::size_t>(width - 1)] = 5;
    values[static_cast<std::size_t>(width + 3)] = values[static_cast<std::size_t>(2 * width - 2)] = nan;
    Tensor x = Tensor::from_vector(values, Shape{3, width});
    testing::check_op_parity(
        fmt::format("max ties and NaN, width {}", width),
        [](const std::vector<Tensor>& in) { return std::vector<Tensor>{max(in[0], 1)}; }, {x}, {"x"}, {true},
        testing::ParityTolerance{0.0, 0.0});
  }
}
