// Wiring of the unary ops: allocate, dispatch on device and dtype, record the backward.
#include "engine/ops/unary/unary.h"

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

const char* unary_name(UnaryKind kind) {
  switch (kind) {
    case UnaryKind::Neg: return "neg";
    case UnaryKind::Exp: return "exp";
    case UnaryKind::Log: return "log";
    case UnaryKind::Sqrt: return "sqrt";
    case UnaryKind::Square: return "square";
    case UnaryKind::Abs: return "abs";
    case UnaryKind::Sin: return "sin";
    case UnaryKind::Cos: return "cos";
    case UnaryKind::Sinh: return "sinh";
    case UnaryKind::Cosh: return "cosh";
    case UnaryKind::Tanh: return "tanh";
    case UnaryKind::Relu: return "relu";
    case UnaryKind::Sigmoid: return "sigmoid";
    case UnaryKind::Softplus: return "softplus";
  }
  return "unary";
}

namespace {

void unary_forward(UnaryKind kind, const Tensor& x, Tensor& y) {
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (x.device() == Device::CUDA)
      cuda_branch(unary_name(kind), [&] { unary_forward_cuda<T>(kind, x.data<T>(), y.data<T>(), x.numel()); });
    else
      unary_forward_cpu<T>(kind, x.data<T>(), y.data<T>(), x.numel());
  });
}

void unary_backward(UnaryKind kind, const Tensor& x, const Tensor& y, const Tensor& grad_y, Tensor& grad_x) {
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (x.device() == Device::CUDA)
      cuda_branch(unary_name(kind), [&] {
        unary_backward_cuda<T>(kind, x.data<T>(), y.data<T>(), grad_y.data<T>(), grad_x.data<T>(), x.numel());
      });
    else
      unary_backward_cpu<T>(kind, x.data<T>(), y.data<T>(), grad_y.data<T>(), grad_x.data<T>(), x.numel());
  });
}

}  // namespace

Tensor unary(UnaryKind kind, const Tensor& x) {
  OpProfileScope scope(unary_name(kind), {&x});
  check_same_dtype_device(unary_name(kind), {&x});
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  unary_forward(kind, x, y);
  if (should_record({&x})) {
    record(unary_name(kind), {x}, {y}, [kind, x, y](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      unary_backward(kind, x, y, grads[0], grad_x);
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace flowjet
