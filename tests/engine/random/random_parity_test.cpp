// The CUDA generator against the CPU one: uniform, normal and keep-mask draws of the same Philox stream
// (uniform and masks bit for bit, normal within the element-wise parity tolerance), f32 and f64.
#include <doctest/doctest.h>

#include "engine/random/generator.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/random: uniform, normal and keep-mask draws match the CPU stream" *
          doctest::skip(testing::cuda_parity_skipped())) {
  for (DType dtype : {DType::F32, DType::F64}) {
    Generator cpu_gen(77, 5), cuda_gen(77, 5);
    const Shape shape{1001, 13};  // odd count: the last normal pair is cut
    testing::check_identical("uniform", random_uniform(shape, cpu_gen, dtype, Device::CPU, -2, 3),
                             random_uniform(shape, cuda_gen, dtype, Device::CUDA, -2, 3));
    // Box-Muller through log/cos/sin: libm and CUDA math may differ in the last bits.
    testing::check_close("normal", random_normal(shape, cpu_gen, dtype, Device::CPU, 1, 2),
                         random_normal(shape, cuda_gen, dtype, Device::CUDA, 1, 2), testing::kElementwiseTolerance);
    testing::check_identical("keep mask", random_keep_mask(shape, 0.3, cpu_gen, dtype, Device::CPU),
                             random_keep_mask(shape, 0.3, cuda_gen, dtype, Device::CUDA));
    CHECK(cpu_gen.offset() == cuda_gen.offset());
  }
}
