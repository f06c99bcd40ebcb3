// Wiring of normal_log_prob and mse: checks, dispatch and recording.
#include "engine/ops/loss/loss.h"

#include <vector>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"

namespace flowjet {

Tensor normal_log_prob(const Tensor& z) {
  check_same_dtype_device("normal_log_prob", {&z});
  if (z.ndim() == 0) throw ShapeError(fmt::format("normal_log_prob: z needs a feature axis, got {}", z.describe()));
  if (z.device() == Device::CUDA) throw CudaError("normal_log_prob: no CUDA kernel in this build");
  const int64_t width = z.size(-1);
  std::vector<int64_t> dims = z.shape().dims();
  dims.pop_back();
  const Shape out_shape(dims);
  const int64_t rows = out_shape.numel();
  Tensor y = Tensor::empty(out_shape, z.dtype(), z.device());
  dispatch_dtype(z.dtype(), [&](auto zero) {
    using T = decltype(zero);
    normal_log_prob_forward_cpu<T>(z.data<T>(), y.data<T>(), rows, width);
  });
  if (should_record({&z})) {
    record("normal_log_prob", {z}, {y}, [z, rows, width](const std::vector<Tensor>& grads) {
      Tensor grad_z = grad_buffer(z);
      dispatch_dtype(z.dtype(), [&](auto zero) {
        using T = decltype(zero);
        normal_log_prob_backward_cpu<T>(z.data<T>(), grads[0].data<T>(), grad_z.data<T>(), rows, width);
      });
    });
  }
  return y;
}

Tensor mse(const Tensor& a, const Tensor& b) {
  check_same_dtype_device("mse", {&a, &b});
  if (a.shape() != b.shape())
    throw ShapeError(fmt::format("mse: a {} and b {} must have the same shape", a.shape().str(), b.shape().str()));
  if (a.device() == Device::CUDA) throw CudaError("mse: no CUDA kernel in this build");
  Tensor y = Tensor::empty(Shape{}, a.dtype(), a.device());
  dispatch_dtype(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    y.data<T>()[0] = mse_forward_cpu<T>(a.data<T>(), b.data<T>(), a.numel());
  });
  if (should_record({&a, &b})) {
    record("mse", {a, b}, {y}, [a, b](const std::vector<Tensor>& grads) {
      Tensor grad_a = grad_buffer(a), grad_b = grad_buffer(b);
      dispatch_dtype(a.dtype(), [&](auto zero) {
        using T = decltype(zero);
        mse_backward_cpu<T>(a.data<T>(), b.data<T>(), grads[0].data<T>()[0],
                            grad_a.defined() ? grad_a.data<T>() : nullptr,
                            grad_b.defined() ? grad_b.data<T>() : nullptr, a.numel());
      });
    });
  }
  return y;
}

}  // namespace flowjet
