// Wiring of gate and glu: shape checks, dispatch and recording. glu reads its two halves in place.
#include "engine/ops/gate/gate.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {
namespace {

// Rows of the last axis of a tensor (a 0-d tensor is one row of one value).
int64_t last_width(const Tensor& t) { return t.ndim() == 0 ? 1 : t.size(-1); }

// y = x * sigmoid(g) on `rows` rows of `width`, rows of x and g `in_stride` apart; `op` names the caller.
template <class T>
void gate_forward(const char* op, Device device, const T* x, const T* g, T* y, int64_t rows, int64_t width,
                  int64_t in_stride) {
  if (device == Device::CUDA)
    cuda_branch(op, [&] { gate_forward_cuda<T>(x, g, y, rows, width, in_stride); });
  else
    gate_forward_cpu<T>(x, g, y, rows, width, in_stride);
}

template <class T>
void gate_backward(const char* op, Device device, const T* x, const T* g, const T* grad_y, T* grad_x, T* grad_g,
                   int64_t rows, int64_t width, int64_t in_stride) {
  if (device == Device::CUDA)
    cuda_branch(op, [&] { gate_backward_cuda<T>(x, g, grad_y, grad_x, grad_g, rows, width, in_stride); });
  else
    gate_backward_cpu<T>(x, g, grad_y, grad_x, grad_g, rows, width, in_stride);
}

}  // namespace

Tensor gate(const Tensor& x, const Tensor& g) {
  OpProfileScope scope("gate", {&x, &g});
  check_same_dtype_device("gate", {&x, &g});
  if (x.shape() != g.shape())
    throw ShapeError(fmt::format("gate: x {} and g {} must have the same shape", x.shape().str(), g.shape().str()));
  const int64_t width = last_width(x);
  const int64_t rows = width == 0 ? 0 : x.numel() / width;
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  scope.add_written(y);
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    gate_forward<T>("gate", x.device(), x.data<T>(), g.data<T>(), y.data<T>(), rows, width, width);
  });
  if (should_record({&x, &g})) {
    record("gate", {x, g}, {y}, [x, g, rows, width](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x), grad_g = grad_buffer(g);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        gate_backward<T>("gate", x.device(), x.data<T>(), g.data<T>(), grads[0].data<T>(), data_or_null<T>(grad_x),
                         data_or_null<T>(grad_g), rows, width, width);
      });
    });
  }
  return y;
}

Tensor glu(const Tensor& t) {
  OpProfileScope scope("glu", {&t});
  check_same_dtype_device("glu", {&t});
  if (t.ndim() == 0 || t.size(-1) % 2 != 0)
    throw ShapeError(fmt::format("glu: the last axis must have an even size to split in halves, got {}",
                                 t.shape().str()));
  const int64_t in_width = t.size(-1), width = in_width / 2;
  const int64_t rows = in_width == 0 ? 0 : t.numel() / in_width;
  std::vector<int64_t> dims = t.shape().dims();
  dims.back() = width;
  Tensor y = Tensor::empty(Shape(dims), t.dtype(), t.device());
  scope.add_written(y);
  dispatch_dtype(t.dtype(), [&](auto zero) {
    using T = decltype(zero);
    gate_forward<T>("glu", t.device(), t.data<T>(), t.data<T>() + width, y.data<T>(), rows, width, in_width);
  });
  if (should_record({&t})) {
    record("glu", {t}, {y}, [t, rows, width, in_width](const std::vector<Tensor>& grads) {
      Tensor grad_t = grad_buffer(t);
      dispatch_dtype(t.dtype(), [&](auto zero) {
        using T = decltype(zero);
        gate_backward<T>("glu", t.device(), t.data<T>(), t.data<T>() + width, grads[0].data<T>(), grad_t.data<T>(),
                         grad_t.data<T>() + width, rows, width, in_width);
      });
    });
  }
  return y;
}

}  // namespace flowjet
