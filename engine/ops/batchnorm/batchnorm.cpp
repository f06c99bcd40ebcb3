// Wiring of batchnorm: shape checks, dispatch, running-statistics update, recording (flow-model.md §3.3).
#include "engine/ops/batchnorm/batchnorm.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {
namespace {

// Throws ShapeError unless `t` is [channels].
void check_channel_vector(const char* op, const char* name, const Tensor& t, const Tensor& x) {
  if (t.ndim() != 1 || t.size(0) != x.size(1))
    throw ShapeError(fmt::format("{}: {} must be [{}] (the channels of x {}), got {}", op, name, x.size(1),
                                 x.shape().str(), t.shape().str()));
}

// Values per (sample, channel): the product of the axes after the channel axis.
int64_t values_per_sample(const Tensor& x) {
  int64_t s = 1;
  for (int axis = 2; axis < x.ndim(); ++axis) s *= x.size(axis);
  return s;
}

void batchnorm_backward(const BatchnormSaved& saved, const Tensor& grad_y, Tensor& grad_x, Tensor& grad_gamma,
                        Tensor& grad_beta) {
  const int64_t N = saved.x.size(0), C = saved.x.size(1), S = values_per_sample(saved.x);
  dispatch_dtype(saved.x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel, auto... reducer) {
      kernel(saved.x.data<T>(), saved.gamma.data<T>(), saved.mean.data<T>(), saved.inv_std.data<T>(), grad_y.data<T>(),
             data_or_null<T>(grad_x), data_or_null<T>(grad_gamma), data_or_null<T>(grad_beta), N, C, S,
             saved.is_training, reducer...);
    };
    if (saved.x.device() == Device::CUDA)
      cuda_branch("batchnorm", [&] { run(batchnorm_backward_cuda<T>); });
    else
      run(batchnorm_backward_cpu<T>, saved.reducer);
  });
}

}  // namespace

void check_batchnorm_arguments(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const Tensor& running_mean, const Tensor& running_var, bool is_training,
                               const BatchStatsReducer* reducer) {
  check_same_dtype_device(op, {&x, &gamma, &beta, &running_mean, &running_var});
  if (x.ndim() < 2 || x.ndim() > 4)
    throw ShapeError(
        fmt::format("{}: x must be [batch, channels], [batch, channels, length] or "
                    "[batch, channels, height, width], got {}",
                    op, x.shape().str()));
  check_channel_vector(op, "gamma", gamma, x);
  check_channel_vector(op, "beta", beta, x);
  check_channel_vector(op, "running_mean", running_mean, x);
  check_channel_vector(op, "running_var", running_var, x);
  const int64_t values = x.size(0) * values_per_sample(x);
  // PyTorch refuses too: the unbiased variance of a single value is undefined.
  if (is_training && values < 2)
    throw ShapeError(
        fmt::format("{}: training mode needs more than one value per channel, got x {} "
                    "({} per channel); use a batch of at least 2 or eval mode",
                    op, x.shape().str(), values));
  if (reducer && x.ndim() != 2)
    throw ShapeError(fmt::format("{}: synchronised batch norm (train.sync_batchnorm) takes x [batch, channels] only, "
                                 "got {}",
                                 op, x.shape().str()));
  if (reducer && x.device() != Device::CPU)
    throw ConfigError(fmt::format("{}: synchronised batch norm (train.sync_batchnorm) runs on the CPU only, got x on "
                                  "{}",
                                  op, device_name(x.device())));
}

Tensor batchnorm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                 const Tensor& running_var, bool is_training, double momentum, double eps,
                 BatchStatsReducer* reducer) {
  OpProfileScope scope("batchnorm", {&x, &gamma, &beta});
  check_batchnorm_arguments("batchnorm", x, gamma, beta, running_mean, running_var, is_training, reducer);
  const int64_t N = x.size(0), C = x.size(1), S = values_per_sample(x);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  scope.add_written(y);
  BatchnormSaved saved{x, gamma, Tensor::empty(Shape{C}, x.dtype(), x.device()),
                       Tensor::empty(Shape{C}, x.dtype(), x.device()), is_training, reducer};
  Tensor rm = running_mean, rv = running_var;  // updated in place in training mode
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel, auto... cpu_reducer) {
      kernel(x.data<T>(), gamma.data<T>(), beta.data<T>(), rm.data<T>(), rv.data<T>(), saved.mean.data<T>(),
             saved.inv_std.data<T>(), y.data<T>(), N, C, S, is_training, momentum, eps, cpu_reducer...);
    };
    if (x.device() == Device::CUDA)
      cuda_branch("batchnorm", [&] { run(batchnorm_forward_cuda<T>); });
    else
      run(batchnorm_forward_cpu<T>, reducer);
  });
  if (should_record({&x, &gamma, &beta})) {
    record("batchnorm", {x, gamma, beta}, {y}, [saved, beta](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(saved.x), grad_gamma = grad_buffer(saved.gamma);
      Tensor grad_beta = grad_buffer(beta);
      batchnorm_backward(saved, grads[0], grad_x, grad_gamma, grad_beta);
    });
  }
  return y;
}

}  // namespace flowjet
