// Device fills: Tensor::zeros/ones/full and fill_ on a CUDA tensor give the values a CPU fill gives.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/tensor/tensor.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/fill: zeros, ones, full and fill_ on the device match the CPU, f32 and f64" *
          doctest::skip(testing::cuda_parity_skipped())) {
  for (DType dtype : {DType::F32, DType::F64}) {
    const Shape shape{1001, 7};
    testing::check_identical("zeros", Tensor::zeros(shape, dtype), Tensor::zeros(shape, dtype, Device::CUDA));
    testing::check_identical("ones", Tensor::ones(shape, dtype), Tensor::ones(shape, dtype, Device::CUDA));
    testing::check_identical("full", Tensor::full(shape, -0.1, dtype), Tensor::full(shape, -0.1, dtype, Device::CUDA));
    Tensor t = Tensor::ones(shape, dtype, Device::CUDA);
    t.fill_(-0.0);  // negative zero is not all-zero bytes: the kernel path
    Tensor host = Tensor::zeros(shape, dtype);
    host.fill_(-0.0);
    testing::check_identical("fill_ -0", host, t);
    CHECK(std::signbit(t.to_vector()[5]));
    t.fill_(0.0);
    CHECK(!std::signbit(t.to_vector()[5]));
  }
  CHECK(Tensor::zeros(Shape{0, 3}, DType::F32, Device::CUDA).numel() == 0);
}
