// Tests of the autodiff machinery as seen through the ops: misuse errors, detach, zero_grad,
// gradient accumulation across backward calls, and dtype/device mixing.
#include <cstdlib>
#include <string>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/tensor/storage.h"

using namespace flowjet;

namespace {

Tensor f64(const std::vector<double>& values, const Shape& shape) {
  return Tensor::from_vector(values, shape, DType::F64);
}

// Host memory posing as device memory, so a CPU-only build can create a tensor that claims to be
// on CUDA and check the device checks. Nothing ever reads it through a kernel.
void* fake_allocate(std::size_t bytes) { return std::malloc(bytes == 0 ? 1 : bytes); }
void fake_release(void* p, std::size_t) { std::free(p); }

// Installs the fake allocator for its lifetime when no real CUDA backend has installed one.
class FakeCudaAllocator {
 public:
  FakeCudaAllocator() : saved_(detail::cuda_allocator_hooks()) {
    auto& hooks = detail::cuda_allocator_hooks();
    if (!hooks.allocate) {
      hooks.allocate = fake_allocate;
      hooks.release = fake_release;
    }
  }
  ~FakeCudaAllocator() { detail::cuda_allocator_hooks() = saved_; }

 private:
  detail::DeviceAllocator saved_;
};

}  // namespace

TEST_CASE("autograd: backward on a non-scalar throws a helpful AutogradError") {
  Tensor x = f64({1, 2, 3, 4, 5, 6}, Shape{2, 3}).set_requires_grad();
  Tensor y = x * 2.0;
  try {
    backward(y);
    FAIL("expected AutogradError");
  } catch (const AutogradError& e) {
    const std::string message = e.what();
    CHECK(message.find("[2, 3]") != std::string::npos);    // names the shape it got
    CHECK(message.find("one element") != std::string::npos);  // and what it needs
  }
  tape().clear();
}

TEST_CASE("autograd: backward of a tensor that needs no gradient throws") {
  Tensor x = f64({1, 2}, Shape{2});
  CHECK_THROWS_AS(backward(sum(x * x)), AutogradError);
  Tensor w = f64({1, 2}, Shape{2}).set_requires_grad();
  Tensor loss;
  {
    NoGradScope no_grad;
    loss = sum(w * w);
  }
  CHECK_THROWS_AS(backward(loss), AutogradError);
  CHECK(tape().empty());
}

TEST_CASE("autograd: mixing dtypes or devices throws TypeError") {
  Tensor a = Tensor::ones(Shape{2}, DType::F32);
  Tensor b = Tensor::ones(Shape{2}, DType::F64);
  try {
    add(a, b);
    FAIL("expected TypeError");
  } catch (const TypeError& e) {
    const std::string message = e.what();
    CHECK(message.find("add") != std::string::npos);
    CHECK(message.find("f32") != std::string::npos);
    CHECK(message.find("f64") != std::string::npos);
  }
  FakeCudaAllocator fake;
  {
    Tensor on_cuda;
    try {
      on_cuda = Tensor::empty(Shape{2}, DType::F32, Device::CUDA);
    } catch (const CudaError& e) {  // a CUDA build on a machine without a GPU
      MESSAGE("device mixing not checked: " << e.what());
      return;
    }
    try {
      mul(a, on_cuda);
      FAIL("expected TypeError");
    } catch (const TypeError& e) {
      CHECK(std::string(e.what()).find("devices") != std::string::npos);
    }
    if (!built_with_cuda()) CHECK_THROWS_AS(sum(on_cuda), CudaError);
  }
}

TEST_CASE("autograd: detach stops the gradient") {
  Tensor x = f64({1, -2, 3}, Shape{3}).set_requires_grad();
  Tensor frozen = x.detach();
  CHECK(!frozen.requires_grad());
  backward(sum(frozen * x));  // only the second factor carries a gradient: d/dx = frozen
  CHECK(x.grad().to_vector() == std::vector<double>{1, -2, 3});
}

TEST_CASE("autograd: gradients add up across backward calls until zero_grad") {
  Tensor x = f64({1, 2}, Shape{2}).set_requires_grad();
  backward(sum(x * 3.0));
  backward(sum(x * x));  // adds 2x
  CHECK(x.grad().to_vector() == std::vector<double>{5, 7});
  x.zero_grad();
  CHECK(!x.grad().defined());
  backward(sum(x * 3.0));
  CHECK(x.grad().to_vector() == std::vector<double>{3, 3});
  CHECK(tape().empty());  // backward clears the tape
}

TEST_CASE("autograd: grad_target hands out a fresh buffer to store into once, then the same buffer to add into") {
  Tensor x = f64({1, 2}, Shape{2}).set_requires_grad();
  const GradTarget first = grad_target(x);
  CHECK(first.overwrite);
  REQUIRE(first.grad.defined());
  CHECK(first.grad.shape() == x.shape());
  const GradTarget second = grad_target(x);
  CHECK_FALSE(second.overwrite);
  CHECK(second.grad.data<double>() == first.grad.data<double>());
  x.zero_grad();
  CHECK(grad_target(x).overwrite);
  CHECK_FALSE(grad_target(f64({1}, Shape{1})).grad.defined());  // needs no gradient
}

TEST_CASE("autograd: backward seeded at a leaf adds to the gradient it already holds") {
  Tensor x = f64({1, 2}, Shape{2}).set_requires_grad();
  backward(sum(x * 3.0));
  backward(x, f64({10, 20}, Shape{2}));
  CHECK(x.grad().to_vector() == std::vector<double>{13, 23});
}

TEST_CASE("autograd: NoGradScope nests and restores grad mode") {
  CHECK(grad_enabled());
  {
    NoGradScope outer;
    {
      NoGradScope inner;
      CHECK(!grad_enabled());
    }
    CHECK(!grad_enabled());
  }
  CHECK(grad_enabled());
}
