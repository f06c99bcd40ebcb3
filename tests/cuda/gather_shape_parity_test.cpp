// CPU f32 vs CUDA f32 parity of the data-movement ops: gather_columns (with repeated indices, whose
// gradients add up), scatter_columns, index lists longer than one launch, concat, slice, reshape, transpose.
#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "engine/ops/binary/binary.h"
#include "engine/ops/gather/gather.h"
#include "engine/ops/shape/shape.h"
#include "engine/random/generator.h"
#include "tests/cuda/parity.h"

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

TEST_CASE("cuda/shape: parity of concat, slice, reshape and transpose" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(63);
  Tensor a = testing::uniform_f32(Shape{300, 5, 4}, gen, -1, 1), b = testing::uniform_f32(Shape{300, 2, 4}, gen, -1, 1);
  testing::check_op_parity(
      "concat, slice",
      [](const std::vector<Tensor>& in) {
        Tensor joined = concat({in[0], in[1]}, 1);                  // [300, 7, 4]
        return std::vector<Tensor>{joined, slice(joined, 2, 1, 3),  // [300, 7, 2]
                                   concat({in[0], in[0]}, 0), slice(in[1], 0, 7, 300)};
      },
      {a, b}, {"a", "b"}, {true, true}, testing::kElementwiseTolerance);
  testing::check_op_parity(
      "reshape, transpose",
      [](const std::vector<Tensor>& in) {
        // The product makes reshape's gradient flow through a kernel (a bare reshape is a view).
        Tensor flat = reshape(in[0] * 2.0, Shape{1500, 4});
        return std::vector<Tensor>{flat, transpose(flat), transpose(reshape(in[1], Shape{600, 4}))};
      },
      {a, b}, {"a", "b"}, {true, true}, testing::kElementwiseTolerance);
  Tensor odd = testing::uniform_f32(Shape{97, 45}, gen, -1, 1);
  testing::check_op_parity(
      "transpose 97 x 45", [](const std::vector<Tensor>& in) { return std::vector<Tensor>{transpose(in[0])}; }, {odd},
      {"x"}, {true}, testing::kElementwiseTolerance);
}
