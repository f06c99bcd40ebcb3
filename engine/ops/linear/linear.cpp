// Wiring of linear and matmul: shape checks, dispatch, recording.
#include "engine/ops/linear/linear.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"
#include "engine/ops/linear/linear_cpu.h"

namespace flowjet {

void check_linear_arguments(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias) {
  std::vector<const Tensor*> all{&x, &weight};
  if (bias.defined()) all.push_back(&bias);
  check_same_dtype_device(op, all);
  check_ndim(op, "x", x, 2);
  check_ndim(op, "weight", weight, 2);
  const int64_t in = x.size(1), out = weight.size(0);
  if (weight.size(1) != in)
    throw ShapeError(fmt::format("{}: x {} needs a weight [out, {}], got {}", op, x.shape().str(), in,
                                 weight.shape().str()));
  if (bias.defined() && (bias.ndim() != 1 || bias.size(0) != out))
    throw ShapeError(fmt::format("{}: bias must be [{}] for weight {}, got {}", op, out, weight.shape().str(),
                                 bias.shape().str()));
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  OpProfileScope scope("linear", {&x, &weight, &bias});
  check_linear_arguments("linear", x, weight, bias);
  const int64_t batch = x.size(0), in = x.size(1), out = weight.size(0);
  Tensor y = Tensor::empty(Shape{batch, out}, x.dtype(), x.device());
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (x.device() == Device::CUDA)
      cuda_branch("linear", [&] {
        linear_forward_cuda<T>(x.data<T>(), weight.data<T>(), data_or_null<T>(bias), y.data<T>(), batch, in, out);
      });
    else
      linear_forward_cpu<T>(x.data<T>(), weight.data<T>(), data_or_null<T>(bias), y.data<T>(), batch, in, out);
  });
  scope.add_written(y);
  // One product's floating-point operations (the backward does one per input that needs a gradient).
  const double flops = 2.0 * static_cast<double>(batch) * static_cast<double>(in) * static_cast<double>(out);
  scope.add_flops(flops);
  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  if (should_record(inputs)) {
    record("linear", inputs, {y}, [x, weight, bias, batch, in, out, flops](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x), grad_weight = grad_buffer(weight);
      Tensor grad_bias = bias.defined() ? grad_buffer(bias) : Tensor();
      // One product per input that needs a gradient (dL/dx = dL/dy W, dL/dW = dL/dy^T x).
      const double products = (grad_x.defined() ? 1.0 : 0.0) + (grad_weight.defined() ? 1.0 : 0.0);
      add_flops_to_current_op(products * flops);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) {
          kernel(x.data<T>(), weight.data<T>(), grads[0].data<T>(), data_or_null<T>(grad_x),
                 data_or_null<T>(grad_weight), data_or_null<T>(grad_bias), batch, in, out);
        };
        if (x.device() == Device::CUDA)
          cuda_branch("linear", [&] { run(linear_backward_cuda<T>); });
        else
          run(linear_backward_cpu<T>);
      });
    });
  }
  return y;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  OpProfileScope scope("matmul", {&a, &b});
  check_same_dtype_device("matmul", {&a, &b});
  check_ndim("matmul", "a", a, 2);
  check_ndim("matmul", "b", b, 2);
  const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
  if (b.size(0) != K)
    throw ShapeError(fmt::format("matmul: cannot multiply {} by {}", a.shape().str(), b.shape().str()));
  Tensor c = Tensor::empty(Shape{M, N}, a.dtype(), a.device());
  dispatch_dtype(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (a.device() == Device::CUDA)
      cuda_branch("matmul", [&] { matmul_forward_cuda<T>(a.data<T>(), b.data<T>(), c.data<T>(), M, K, N); });
    else
      matmul_forward_cpu<T>(a.data<T>(), b.data<T>(), c.data<T>(), M, K, N);
  });
  scope.add_written(c);
  const double flops = 2.0 * static_cast<double>(M) * static_cast<double>(K) * static_cast<double>(N);
  scope.add_flops(flops);
  if (should_record({&a, &b})) {
    record("matmul", {a, b}, {c}, [a, b, M, K, N, flops](const std::vector<Tensor>& grads) {
      Tensor grad_a = grad_buffer(a), grad_b = grad_buffer(b);
      const double products = (grad_a.defined() ? 1.0 : 0.0) + (grad_b.defined() ? 1.0 : 0.0);
      add_flops_to_current_op(products * flops);
      dispatch_dtype(a.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) {
          kernel(a.data<T>(), b.data<T>(), grads[0].data<T>(), data_or_null<T>(grad_a), data_or_null<T>(grad_b), M, K,
                 N);
        };
        if (a.device() == Device::CUDA)
          cuda_branch("matmul", [&] { run(matmul_backward_cuda<T>); });
        else
          run(matmul_backward_cpu<T>);
      });
    });
  }
  return c;
}

}  // namespace flowjet
