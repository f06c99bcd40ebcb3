// Wiring of add, sub, mul, div and the scalar forms: checks, broadcast plan, dispatch, recording.
#include "engine/ops/binary/binary.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

const char* binary_name(BinaryKind kind) {
  switch (kind) {
    case BinaryKind::Add: return "add";
    case BinaryKind::Sub: return "sub";
    case BinaryKind::Mul: return "mul";
    case BinaryKind::Div: return "div";
  }
  return "binary";
}

namespace {

// y = scale * x + shift, recorded under `op`.
Tensor scalar_affine(const char* op, const Tensor& x, double scale, double shift) {
  OpProfileScope scope(op, {&x});
  check_same_dtype_device(op, {&x});
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) {
      kernel(x.data<T>(), y.data<T>(), x.numel(), static_cast<T>(scale), static_cast<T>(shift));
    };
    if (x.device() == Device::CUDA)
      cuda_branch(op, [&] { run(scalar_affine_forward_cuda<T>); });
    else
      run(scalar_affine_forward_cpu<T>);
  });
  if (should_record({&x})) {
    record(op, {x}, {y}, [op, x, scale](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) { kernel(grads[0].data<T>(), grad_x.data<T>(), x.numel(), static_cast<T>(scale)); };
        if (x.device() == Device::CUDA)
          cuda_branch(op, [&] { run(scalar_affine_backward_cuda<T>); });
        else
          run(scalar_affine_backward_cpu<T>);
      });
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace

Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b) {
  const char* op = binary_name(kind);
  OpProfileScope scope(op, {&a, &b});
  check_same_dtype_device(op, {&a, &b});
  const BroadcastPlan plan = make_broadcast_plan(op, a.shape(), b.shape());
  Tensor y = Tensor::empty(plan.out, a.dtype(), a.device());
  dispatch_dtype(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if (a.device() == Device::CUDA)
      cuda_branch(op, [&] { binary_forward_cuda<T>(kind, a.data<T>(), b.data<T>(), y.data<T>(), plan); });
    else
      binary_forward_cpu<T>(kind, a.data<T>(), b.data<T>(), y.data<T>(), plan);
  });
  if (should_record({&a, &b})) {
    record(op, {a, b}, {y}, [op, kind, a, b, plan](const std::vector<Tensor>& grads) {
      Tensor grad_a = grad_buffer(a), grad_b = grad_buffer(b);
      dispatch_dtype(a.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) {
          kernel(kind, a.data<T>(), b.data<T>(), grads[0].data<T>(), data_or_null<T>(grad_a), data_or_null<T>(grad_b),
                 plan);
        };
        if (a.device() == Device::CUDA)
          cuda_branch(op, [&] { run(binary_backward_cuda<T>); });
        else
          run(binary_backward_cpu<T>);
      });
    });
  }
  scope.add_written(y);
  return y;
}

Tensor add_scalar(const Tensor& x, double s) { return scalar_affine("add_scalar", x, 1.0, s); }
// The shift -0.0 is the exact identity of addition (it keeps the sign of a zero product).
Tensor mul_scalar(const Tensor& x, double s) { return scalar_affine("mul_scalar", x, s, -0.0); }
Tensor rsub_scalar(double s, const Tensor& x) { return scalar_affine("rsub_scalar", x, -1.0, s); }

}  // namespace flowjet
