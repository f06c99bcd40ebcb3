// CPU f32 vs CUDA f32 parity of gather_columns (with repeated indices, whose gradients add up),
// scatter_columns, and index lists longer than one launch.
#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "engine/ops/gather/gather.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/gather: parity of gather_columns and scatter_columns" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(61);
  Tensor x = testing::uniform_f32(Shape{1000, 12}, gen, -2, 2);
  const std::vector<int64_t> repeated{3, 0, 3, 11, 7, 3};
  testing::check_op_parity(
      "gather_columns with repeats",
      [&](const std::vector<Tensor>& in) { return std::vector<Tensor>{gather_columns(in[0], repeated)}; }, {x}, {"x"},
      {true}, testing::kElementwiseTolerance);
  const std::vector<int64_t> identity{0, 2, 5, 9}, transformed{1, 3, 4, 6, 7, 8, 10, 11};
  Tensor u = testing::uniform_f32(Shape{1000, 4}, gen, -2, 2), v = testing::uniform_f32(Shape{1000, 8}, gen, -2, 2);
  testing::check_op_parity(
      "scatter_columns",
      [&](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{scatter_columns({in[0], in[1]}, {identity, transformed}, 12)};
      },
      {u, v}, {"u", "v"}, {true, true}, testing::kElementwiseTolerance);
}

TEST_CASE("cuda/gather: index lists longer than one launch, repeats across and within launches" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(62);
  const int64_t D = 1300;
  Tensor x = testing::uniform_f32(Shape{40, D}, gen, -2, 2);
  std::vector<int64_t> reversed(D), doubled;
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  for (int64_t k = 0; k < 700; ++k) doubled.push_back((k * 37) % 600);  // repeats within the first 512
  testing::check_op_parity(
      "gather/scatter of 1300 columns",
      [&](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{scatter_columns({in[0]}, {reversed}, D), gather_columns(in[0], doubled)};
      },
      {x}, {"x"}, {true}, testing::kElementwiseTolerance);
}
