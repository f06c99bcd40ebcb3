// Wiring of normal_log_prob and mse: checks, dispatch and recording.
#include "engine/ops/loss/loss.h"

#include <vector>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

Tensor normal_log_prob(const Tensor& z) {
  OpProfileScope scope("normal_log_prob", {&z});
  check_same_dtype_device("normal_log_prob", {&z});
  if (z.ndim() == 0) throw ShapeError(fmt::format("normal_log_prob: z needs a feature axis, got {}", z.describe()));
  const int64_t width = z.size(-1);
  std::vector<int64_t> dims = z.shape().dims();
  dims.pop_back();
  const Shape out_shape(dims);
  const int64_t rows = out_shape.numel();
  Tensor y = Tensor::empty(out_shape, z.dtype(), z.device());
  dispatch_dtype(z.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(z.data<T>(), y.data<T>(), rows, width); };
    if (z.device() == Device::CUDA)
      cuda_branch("normal_log_prob", [&] { run(normal_log_prob_forward_cuda<T>); });
    else
      run(normal_log_prob_forward_cpu<T>);
  });
  if (should_record({&z})) {
    record("normal_log_prob", {z}, {y}, [z, rows, width](const std::vector<Tensor>& grads) {
      Tensor grad_z = grad_buffer(z);
      dispatch_dtype(z.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) { kernel(z.data<T>(), grads[0].data<T>(), grad_z.data<T>(), rows, width); };
        if (z.device() == Device::CUDA)
          cuda_branch("normal_log_prob", [&] { run(normal_log_prob_backward_cuda<T>); });
        else
          run(normal_log_prob_backward_cpu<T>);
      });
    });
  }
  scope.add_written(y);
  return y;
}

Tensor mse(const Tensor& a, const Tensor& b) {
  OpProfileScope scope("mse", {&a, &b});
  check_same_dtype_device("mse", {&a, &b});
  if (a.shape() != b.shape())
    throw ShapeError(fmt::format("mse: a {} and b {} must have the same shape", a.shape().str(), b.shape().str()));
  Tensor y = Tensor::empty(Shape{}, a.dtype(), a.device());
  dispatch_dtype(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (a.device() == Device::CUDA)
      cuda_branch("mse", [&] { mse_forward_cuda<T>(a.data<T>(), b.data<T>(), y.data<T>(), a.numel()); });
    else
      y.data<T>()[0] = mse_forward_cpu<T>(a.data<T>(), b.data<T>(), a.numel());
  });
  if (should_record({&a, &b})) {
    record("mse", {a, b}, {y}, [a, b](const std::vector<Tensor>& grads) {
      Tensor grad_a = grad_buffer(a), grad_b = grad_buffer(b);
      dispatch_dtype(a.dtype(), [&](auto zero) {
        using T = decltype(zero);
        T* ga = grad_a.defined() ? grad_a.data<T>() : nullptr;
        T* gb = grad_b.defined() ? grad_b.data<T>() : nullptr;
        if (a.device() == Device::CUDA)
          cuda_branch("mse",
                      [&] { mse_backward_cuda<T>(a.data<T>(), b.data<T>(), grads[0].data<T>(), ga, gb, a.numel()); });
        else
          mse_backward_cpu<T>(a.data<T>(), b.data<T>(), grads[0].data<T>()[0], ga, gb, a.numel());
      });
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace flowjet
