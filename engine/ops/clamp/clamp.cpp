// Wiring of clamp: bound checks, dispatch and recording.
#include "engine/ops/clamp/clamp.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

Tensor clamp(const Tensor& x, double min, double max) {
  OpProfileScope scope("clamp", {&x});
  check_same_dtype_device("clamp", {&x});
  if (std::isnan(min) || std::isnan(max) || min > max)
    throw Error(fmt::format("clamp: needs min <= max, got min {} and max {}", min, max));
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T lo = static_cast<T>(min), hi = static_cast<T>(max);
    if (x.device() == Device::CUDA)
      cuda_branch("clamp", [&] { clamp_forward_cuda<T>(x.data<T>(), y.data<T>(), x.numel(), lo, hi); });
    else
      clamp_forward_cpu<T>(x.data<T>(), y.data<T>(), x.numel(), lo, hi);
  });
  if (should_record({&x})) {
    record("clamp", {x}, {y}, [x, min, max](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        const T lo = static_cast<T>(min), hi = static_cast<T>(max);
        auto run = [&](auto kernel) { kernel(x.data<T>(), grads[0].data<T>(), grad_x.data<T>(), x.numel(), lo, hi); };
        if (x.device() == Device::CUDA)
          cuda_branch("clamp", [&] { run(clamp_backward_cuda<T>); });
        else
          run(clamp_backward_cpu<T>);
      });
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace flowjet
