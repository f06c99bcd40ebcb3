// Wiring of batchnorm_relu_dropout: checks (batchnorm's, plus a 2-d x and the mask's shape), dispatch,
// recording. The backward keeps x, gamma, beta, the statistics and the mask; everything else is recomputed.
#include "engine/ops/fused/batchnorm_relu_dropout.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/dropout/dropout.h"

namespace flowjet {
namespace {

constexpr const char* kOp = "batchnorm_relu_dropout";

// What the backward reads: the forward's inputs, mask and per-channel statistics ([channels] each).
struct Saved {
  Tensor x, gamma, beta, keep_mask, mean, inv_std;
  bool is_training;
  BatchStatsReducer* reducer;  // synchronised batch norm (null: none)
};

void backward_pass(const Saved& saved, const Tensor& grad_y, Tensor& grad_x, Tensor& grad_gamma, Tensor& grad_beta) {
  const int64_t N = saved.x.size(0), C = saved.x.size(1);
  dispatch_dtype(saved.x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel, auto... cpu_reducer) {
      kernel(saved.x.data<T>(), saved.gamma.data<T>(), saved.beta.data<T>(), saved.mean.data<T>(),
             saved.inv_std.data<T>(), data_or_null<T>(saved.keep_mask), grad_y.data<T>(), data_or_null<T>(grad_x),
             data_or_null<T>(grad_gamma), data_or_null<T>(grad_beta), N, C, saved.is_training, cpu_reducer...);
    };
    if (saved.x.device() == Device::CUDA)
      cuda_branch(kOp, [&] { run(batchnorm_relu_dropout_backward_cuda<T>); });
    else
      run(batchnorm_relu_dropout_backward_cpu<T>, saved.reducer);
  });
}

}  // namespace

Tensor batchnorm_relu_dropout(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                              const Tensor& running_var, bool is_training, double momentum, double eps,
                              const Tensor& keep_mask, BatchStatsReducer* reducer) {
  OpProfileScope scope(kOp, {&x, &gamma, &beta, &keep_mask});
  if (x.ndim() != 2)
    throw ShapeError(fmt::format("{}: x must be [batch, channels], got {}", kOp, x.shape().str()));
  check_batchnorm_arguments(kOp, x, gamma, beta, running_mean, running_var, is_training, reducer);
  if (keep_mask.defined()) check_keep_mask(kOp, x, keep_mask);
  const int64_t N = x.size(0), C = x.size(1);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  scope.add_written(y);
  Saved saved{x, gamma, beta, keep_mask.defined() ? keep_mask.detach() : Tensor(),
              Tensor::empty(Shape{C}, x.dtype(), x.device()), Tensor::empty(Shape{C}, x.dtype(), x.device()),
              is_training, reducer};
  Tensor rm = running_mean, rv = running_var;  // updated in place in training mode
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel, auto... cpu_reducer) {
      kernel(x.data<T>(), gamma.data<T>(), beta.data<T>(), rm.data<T>(), rv.data<T>(), saved.mean.data<T>(),
             saved.inv_std.data<T>(), data_or_null<T>(saved.keep_mask), y.data<T>(), N, C, is_training, momentum, eps,
             cpu_reducer...);
    };
    if (x.device() == Device::CUDA)
      cuda_branch(kOp, [&] { run(batchnorm_relu_dropout_forward_cuda<T>); });
    else
      run(batchnorm_relu_dropout_forward_cpu<T>, reducer);
  });
  if (should_record({&x, &gamma, &beta})) {
    record(kOp, {x, gamma, beta}, {y}, [saved](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(saved.x), grad_gamma = grad_buffer(saved.gamma), grad_beta = grad_buffer(saved.beta);
      backward_pass(saved, grads[0], grad_x, grad_gamma, grad_beta);
    });
  }
  return y;
}

}  // namespace flowjet
