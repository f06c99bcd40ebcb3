// CPU f32 vs CUDA f32 parity of dropout with a keep-mask drawn on each device from the same stream.
#include <doctest/doctest.h>

#include "engine/ops/dropout/dropout.h"
#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;
using testing::check_op_parity;
using testing::uniform_f32;

TEST_CASE("cuda/dropout: parity with a device-drawn mask from the same stream" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(16), cpu_gen(99), cuda_gen(99);
  Tensor x = uniform_f32(Shape{500, 77}, gen, -2, 2);
  Tensor mask_cpu = random_keep_mask(x.shape(), 0.2, cpu_gen);
  Tensor mask_cuda = random_keep_mask(x.shape(), 0.2, cuda_gen, DType::F32, Device::CUDA);
  testing::check_identical("dropout mask", mask_cpu, mask_cuda);
  check_op_parity(
      "dropout",
      [&](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{dropout(in[0], in[0].device() == Device::CUDA ? mask_cuda : mask_cpu)};
      },
      {x}, {"x"}, {true}, testing::kElementwiseTolerance);
}
