// Wiring of clamp: bound checks, dispatch and recording.
#include "engine/ops/clamp/clamp.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"

namespace flowjet {

Tensor clamp(const Tensor& x, double min, double max) {
  check_same_dtype_device("clamp", {&x});
  if (std::isnan(min) || std::isnan(max) || min > max)
    throw Error(fmt::format("clamp: needs min <= max, got min {} and max {}", min, max));
  if (x.device() == Device::CUDA) throw CudaError("clamp: no CUDA kernel in this build");
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    clamp_forward_cpu<T>(x.data<T>(), y.data<T>(), x.numel(), static_cast<T>(min), static_cast<T>(max));
  });
  if (should_record({&x})) {
    record("clamp", {x}, {y}, [x, min, max](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        clamp_backward_cpu<T>(x.data<T>(), grads[0].data<T>(), grad_x.data<T>(), x.numel(), static_cast<T>(min),
                              static_cast<T>(max));
      });
    });
  }
  return y;
}

}  // namespace flowjet
