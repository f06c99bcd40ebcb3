// Wiring of softmax and log_softmax: checks, dispatch and recording (backward uses the output).
#include "engine/ops/softmax/softmax.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {
namespace {

Tensor softmax_impl(bool is_log, const Tensor& x) {
  const char* op = is_log ? "log_softmax" : "softmax";
  OpProfileScope scope(op, {&x});
  check_same_dtype_device(op, {&x});
  if (x.ndim() == 0) throw ShapeError(fmt::format("{}: needs at least one dimension, got {}", op, x.describe()));
  const int64_t width = x.size(-1);
  const int64_t rows = width == 0 ? 0 : x.numel() / width;
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(is_log, x.data<T>(), y.data<T>(), rows, width); };
    if (x.device() == Device::CUDA)
      cuda_branch(op, [&] { run(softmax_forward_cuda<T>); });
    else
      run(softmax_forward_cpu<T>);
  });
  if (should_record({&x})) {
    record(op, {x}, {y}, [op, is_log, x, y, rows, width](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) { kernel(is_log, y.data<T>(), grads[0].data<T>(), grad_x.data<T>(), rows, width); };
        if (x.device() == Device::CUDA)
          cuda_branch(op, [&] { run(softmax_backward_cuda<T>); });
        else
          run(softmax_backward_cpu<T>);
      });
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x) { return softmax_impl(false, x); }
Tensor log_softmax(const Tensor& x) { return softmax_impl(true, x); }

}  // namespace flowjet
