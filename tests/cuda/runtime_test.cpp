// The CUDA runtime: the error without a device (runs exactly when no device is present), the caching
// allocator's steady state, copies both ways, and the checking wrapper's message.
#include <doctest/doctest.h>

#include <string>

#include "engine/autograd/tape.h"
#include "engine/backend/cuda/runtime.h"
#include "engine/core/error.h"
#include "engine/ops/linear/linear.h"
#include "engine/ops/unary/unary.h"
#include "engine/random/generator.h"
#include "engine/tensor/storage.h"
#include "tests/support/parity.h"

using namespace flowjet;

TEST_CASE("cuda/runtime: without a usable device, creating a CUDA tensor throws CudaError saying why" *
          doctest::skip(cuda_available())) {
  try {
    Tensor::zeros(Shape{3}, DType::F32, Device::CUDA);
    FAIL("expected CudaError");
  } catch (const CudaError& e) {
    const std::string message = e.what();
    // A CUDA build names the device query; a CPU-only build says it was built without CUDA.
    CHECK((message.find("no CUDA device available: cudaGetDeviceCount returned") != std::string::npos ||
           message.find("built without CUDA") != std::string::npos ||
           message.find("could not be started") != std::string::npos));
  }
  CHECK(!cuda_unavailable_reason().empty());
}

TEST_CASE("cuda/runtime: copies round-trip f32 and f64 values exactly" *
          doctest::skip(testing::cuda_parity_skipped())) {
  for (DType dtype : {DType::F32, DType::F64}) {
    Tensor host = Tensor::from_vector({1.5, -2.25, 3e-8, 1e30}, Shape{2, 2}, dtype);
    Tensor device = host.to(Device::CUDA);
    CHECK(device.device() == Device::CUDA);
    Tensor copy = device.clone();  // device to device
    CHECK(copy.to_vector() == host.to_vector());
    Tensor target = Tensor::zeros(Shape{2, 2}, dtype, Device::CUDA);
    target.copy_(host);
    CHECK(target.to_vector() == host.to_vector());
  }
  CHECK(Tensor::empty(Shape{0, 4}, DType::F32, Device::CUDA).to_vector().empty());
}

TEST_CASE("cuda/runtime: steady-state steps reuse cached blocks and leave no live memory" *
          doctest::skip(testing::cuda_parity_skipped())) {
  Generator gen(3);
  Tensor w = random_normal(Shape{64, 32}, gen, DType::F32, Device::CUDA).set_requires_grad();
  auto step = [&] {
    Tensor x = random_normal(Shape{256, 32}, gen, DType::F32, Device::CUDA);
    Tensor y = tanh(linear(x, w));
    backward(y, Tensor::ones(y.shape(), DType::F32, Device::CUDA));
    w.zero_grad();
  };
  step();
  cuda_synchronize();
  const AllocatorStats before = allocator_stats(Device::CUDA);
  const int64_t cached = cuda_cached_bytes();
  for (int i = 0; i < 5; ++i) step();
  cuda_synchronize();
  const AllocatorStats after = allocator_stats(Device::CUDA);
  CHECK(after.live_blocks == before.live_blocks);
  CHECK(after.live_bytes == before.live_bytes);
  CHECK(cuda_cached_bytes() == cached);  // every request of the later steps was served from the cache
  cuda_release_cached_memory();
  CHECK(cuda_cached_bytes() == 0);
}

TEST_CASE("cuda/runtime: the device is described" * doctest::skip(testing::cuda_parity_skipped())) {
  CHECK(cuda_device_description().find("sm_") != std::string::npos);
}

#ifdef FLOWJET_CUDA
#include "engine/backend/cuda/check.h"

// These need the CUDA headers but no device: they run in every CUDA build.
TEST_CASE("cuda/runtime: the checking wrapper names the call, the library's message, the file and the line") {
  try {
    FLOWJET_CUDA_CHECK(cudaErrorInvalidValue);
    FAIL("expected CudaError");
  } catch (const CudaError& e) {
    const std::string message = e.what();
    CHECK(message.find("cudaErrorInvalidValue failed with CUDA error 1") != std::string::npos);
    CHECK(message.find(cudaGetErrorString(cudaErrorInvalidValue)) != std::string::npos);
    CHECK(message.find("runtime_test.cpp:") != std::string::npos);
  }
  try {
    FLOWJET_CUDA_CHECK(CUBLAS_STATUS_INVALID_VALUE);
    FAIL("expected CudaError");
  } catch (const CudaError& e) {
    CHECK(std::string(e.what()).find("failed with cuBLAS error 7") != std::string::npos);
  }
  CHECK_NOTHROW(FLOWJET_CUDA_CHECK(cudaSuccess));
}

TEST_CASE("cuda/runtime: the device hooks are installed at start-up, before any device is touched") {
  const bool allocator = detail::cuda_allocator_hooks().allocate != nullptr;
  const bool copy = detail::cuda_copy_hook() != nullptr;
  const bool random = detail::cuda_random_hooks().keep_mask != nullptr;
  CHECK(allocator);
  CHECK(copy);
  CHECK(random);
  CHECK(allocator_stats(Device::CUDA).live_bytes >= 0);
}
#endif
