// CPU f32 vs CUDA f32 parity of the shape ops: concat, slice, reshape and transpose.
#include <doctest/doctest.h>

#include "engine/ops/binary/binary.h"
#include "engine/ops/shape/shape.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

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
