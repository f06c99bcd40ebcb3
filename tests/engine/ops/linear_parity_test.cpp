// CPU f32 vs CUDA f32 parity of linear (with and without bias, odd sizes) and matmul, forward and
// backward, and the TF32 switch of the CUDA GEMMs (off by default).
#include <doctest/doctest.h>

#include <string>

#include <fmt/format.h>

#include "engine/backend/cuda/runtime.h"
#include "engine/ops/linear/linear.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;
using testing::check_op_parity;
using testing::uniform_f32;

TEST_CASE("cuda/linear: parity with and without bias, odd sizes" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(12);
  const int64_t sizes[][3] = {{1, 1, 1}, {37, 19, 23}, {1000, 64, 128}, {5, 0, 3}};  // batch, in, out
  for (const auto& s : sizes) {
    Tensor x = uniform_f32(Shape{s[0], s[1]}, gen, -1, 1), w = uniform_f32(Shape{s[2], s[1]}, gen, -1, 1);
    Tensor b = uniform_f32(Shape{s[2]}, gen, -1, 1);
    const std::string label = fmt::format("linear {}x{}->{}", s[0], s[1], s[2]);
    check_op_parity(
        label, [](const std::vector<Tensor>& in) { return std::vector<Tensor>{linear(in[0], in[1], in[2])}; },
        {x, w, b}, {"x", "weight", "bias"}, {true, true, true}, testing::kReductionTolerance);
    check_op_parity(
        label + " no bias", [](const std::vector<Tensor>& in) { return std::vector<Tensor>{linear(in[0], in[1])}; },
        {x, w}, {"x", "weight"}, {true, true}, testing::kReductionTolerance);
  }
}

TEST_CASE("cuda/matmul: parity of rectangular products" * doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(13);
  const int64_t sizes[][3] = {{1, 1, 1}, {17, 33, 9}, {256, 300, 129}, {4, 0, 5}};  // M, K, N
  for (const auto& s : sizes) {
    Tensor a = uniform_f32(Shape{s[0], s[1]}, gen, -1, 1), b = uniform_f32(Shape{s[1], s[2]}, gen, -1, 1);
    check_op_parity(
        fmt::format("matmul {}x{}x{}", s[0], s[1], s[2]),
        [](const std::vector<Tensor>& in) { return std::vector<Tensor>{matmul(in[0], in[1])}; }, {a, b}, {"a", "b"},
        {true, true}, testing::kReductionTolerance);
  }
}

TEST_CASE("cuda/linear: TF32 switch is off by default and can be turned on" *
          doctest::skip(testing::cuda_parity_skipped())) {
  CHECK(!cuda_allow_tf32());
  Generator gen(14);
  Tensor x = uniform_f32(Shape{512, 256}, gen, -1, 1), w = uniform_f32(Shape{256, 256}, gen, -1, 1);
  cuda_set_allow_tf32(true);
  Tensor fast = linear(x.to(Device::CUDA), w.to(Device::CUDA));
  cuda_set_allow_tf32(false);
  // TF32 keeps 10 mantissa bits: about 1e-3 relative per product, so 2e-2 on a 256-term sum of mixed signs.
  testing::check_close("linear with TF32", linear(x, w), fast, testing::ParityTolerance{2e-2, 1.0});
}
