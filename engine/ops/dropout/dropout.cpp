// Wiring of dropout: checks, dispatch, recording.
#include "engine/ops/dropout/dropout.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

void check_keep_mask(const char* op, const Tensor& x, const Tensor& keep_mask) {
  check_same_dtype_device(op, {&x, &keep_mask});
  if (keep_mask.shape() != x.shape())
    throw ShapeError(
        fmt::format("{}: keep_mask {} must have the shape of x {}", op, keep_mask.shape().str(), x.shape().str()));
}

Tensor dropout(const Tensor& x, const Tensor& keep_mask) {
  OpProfileScope scope("dropout", {&x, &keep_mask});
  check_keep_mask("dropout", x, keep_mask);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  scope.add_written(y);
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (x.device() == Device::CUDA)
      cuda_branch("dropout", [&] { dropout_forward_cuda<T>(x.data<T>(), keep_mask.data<T>(), y.data<T>(), x.numel()); });
    else
      dropout_forward_cpu<T>(x.data<T>(), keep_mask.data<T>(), y.data<T>(), x.numel());
  });
  if (should_record({&x})) {
    // The mask is captured as a constant: it is not an input of the node.
    Tensor mask = keep_mask.detach();
    record("dropout", {x}, {y}, [x, mask](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        if (x.device() == Device::CUDA)
          cuda_branch("dropout", [&] {
            dropout_backward_cuda<T>(mask.data<T>(), grads[0].data<T>(), grad_x.data<T>(), x.numel());
          });
        else
          dropout_backward_cpu<T>(mask.data<T>(), grads[0].data<T>(), grad_x.data<T>(), x.numel());
      });
    });
  }
  return y;
}

}  // namespace flowjet
