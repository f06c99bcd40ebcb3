// Wiring of cumsum: checks, dispatch and recording.
#include "engine/ops/cumsum/cumsum.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

Tensor cumsum(const Tensor& x) {
  OpProfileScope scope("cumsum", {&x});
  check_same_dtype_device("cumsum", {&x});
  if (x.ndim() == 0) throw ShapeError(fmt::format("cumsum: needs at least one dimension, got {}", x.describe()));
  const int64_t width = x.size(-1);
  const int64_t rows = width == 0 ? 0 : x.numel() / width;
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(x.data<T>(), y.data<T>(), rows, width); };
    if (x.device() == Device::CUDA)
      cuda_branch("cumsum", [&] { run(cumsum_forward_cuda<T>); });
    else
      run(cumsum_forward_cpu<T>);
  });
  if (should_record({&x})) {
    record("cumsum", {x}, {y}, [x, rows, width](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) { kernel(grads[0].data<T>(), grad_x.data<T>(), rows, width); };
        if (x.device() == Device::CUDA)
          cuda_branch("cumsum", [&] { run(cumsum_backward_cuda<T>); });
        else
          run(cumsum_backward_cpu<T>);
      });
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace flowjet
