// Wiring of gate_residual: shape checks, dispatch, recording.
#include "engine/ops/fused/gate_residual.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

Tensor gate_residual(const Tensor& h, const Tensor& t, const Tensor& g) {
  OpProfileScope scope("gate_residual", {&h, &t, &g});
  check_same_dtype_device("gate_residual", {&h, &t, &g});
  if (t.shape() != h.shape() || g.shape() != h.shape())
    throw ShapeError(fmt::format("gate_residual: h {}, t {} and g {} must have the same shape", h.shape().str(),
                                 t.shape().str(), g.shape().str()));
  const int64_t n = h.numel();
  Tensor y = Tensor::empty(h.shape(), h.dtype(), h.device());
  scope.add_written(y);
  dispatch_dtype(h.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (h.device() == Device::CUDA)
      cuda_branch("gate_residual",
                  [&] { gate_residual_forward_cuda<T>(h.data<T>(), t.data<T>(), g.data<T>(), y.data<T>(), n); });
    else
      gate_residual_forward_cpu<T>(h.data<T>(), t.data<T>(), g.data<T>(), y.data<T>(), n);
  });
  if (should_record({&h, &t, &g})) {
    record("gate_residual", {h, t, g}, {y}, [h, t, g, n](const std::vector<Tensor>& grads) {
      // Every element of each gradient is written, so fresh buffers skip their zero fill.
      GradTarget grad_h = grad_target(h), grad_t = grad_target(t), grad_g = grad_target(g);
      const GateResidualOverwrite overwrite{grad_h.overwrite, grad_t.overwrite, grad_g.overwrite};
      dispatch_dtype(h.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) {
          kernel(t.data<T>(), g.data<T>(), grads[0].data<T>(), data_or_null<T>(grad_h.grad),
                 data_or_null<T>(grad_t.grad), data_or_null<T>(grad_g.grad), n, overwrite);
        };
        if (h.device() == Device::CUDA)
          cuda_branch("gate_residual", [&] { run(gate_residual_backward_cuda<T>); });
        else
          run(gate_residual_backward_cpu<T>);
      });
    });
  }
  return y;
}

}  // namespace flowjet
