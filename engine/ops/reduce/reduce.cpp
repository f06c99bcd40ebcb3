// Wiring of sum, mean and max: axis handling, output shapes, dispatch and recording.
#include "engine/ops/reduce/reduce.h"

#include <memory>
#include <vector>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"
#include "engine/tensor/storage.h"

namespace flowjet {

const char* reduce_name(ReduceKind kind) {
  switch (kind) {
    case ReduceKind::Sum: return "sum";
    case ReduceKind::Mean: return "mean";
    case ReduceKind::Max: return "max";
  }
  return "reduce";
}

namespace {

// Reduces x viewed as [outer, n, inner] into `out_shape` (numel outer * inner) and records it.
Tensor reduce_view(ReduceKind kind, const Tensor& x, const Shape& out_shape, int64_t outer, int64_t n, int64_t inner) {
  const char* op = reduce_name(kind);
  check_same_dtype_device(op, {&x});
  OpProfileScope scope(op, {&x});
  Tensor y = Tensor::empty(out_shape, x.dtype(), x.device());
  // The winning positions of max (int64, on x's device), shared with the backward closure.
  std::shared_ptr<Storage> argmax;
  if (kind == ReduceKind::Max)
    argmax = std::make_shared<Storage>(static_cast<std::size_t>(outer * inner) * sizeof(int64_t), x.device());
  int64_t* argmax_data = argmax ? static_cast<int64_t*>(argmax->data()) : nullptr;
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(kind, x.data<T>(), y.data<T>(), argmax_data, outer, n, inner); };
    if (x.device() == Device::CUDA)
      cuda_branch(op, [&] { run(reduce_forward_cuda<T>); });
    else
      run(reduce_forward_cpu<T>);
  });
  if (should_record({&x})) {
    record(op, {x}, {y}, [op, kind, x, argmax, outer, n, inner](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) {
          kernel(kind, grads[0].data<T>(), argmax ? static_cast<const int64_t*>(argmax->data()) : nullptr,
                 grad_x.data<T>(), outer, n, inner);
        };
        if (x.device() == Device::CUDA)
          cuda_branch(op, [&] { run(reduce_backward_cuda<T>); });
        else
          run(reduce_backward_cpu<T>);
      });
    });
  }
  scope.add_written(y);
  return y;
}

Tensor reduce_axis(ReduceKind kind, const Tensor& x, int axis, bool keepdim) {
  const char* op = reduce_name(kind);
  if (!x.defined()) throw TypeError(fmt::format("{}: the input tensor is undefined", op));
  const int a = normalize_axis(axis, x.ndim(), op);
  const Shape& shape = x.shape();
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < a; ++k) outer *= shape[k];
  for (int k = a + 1; k < x.ndim(); ++k) inner *= shape[k];
  const int64_t n = shape[a];
  if (kind == ReduceKind::Max && n == 0)
    throw ShapeError(fmt::format("max: axis {} of {} is empty; the maximum of nothing is undefined", axis, shape.str()));
  std::vector<int64_t> dims;
  for (int k = 0; k < x.ndim(); ++k) {
    if (k != a) dims.push_back(shape[k]);
    else if (keepdim) dims.push_back(1);
  }
  return reduce_view(kind, x, Shape(dims), outer, n, inner);
}

}  // namespace

Tensor sum(const Tensor& x) {
  if (!x.defined()) throw TypeError("sum: the input tensor is undefined");
  return reduce_view(ReduceKind::Sum, x, Shape{}, 1, x.numel(), 1);
}

Tensor mean(const Tensor& x) {
  if (!x.defined()) throw TypeError("mean: the input tensor is undefined");
  return reduce_view(ReduceKind::Mean, x, Shape{}, 1, x.numel(), 1);
}

Tensor sum(const Tensor& x, int axis, bool keepdim) { return reduce_axis(ReduceKind::Sum, x, axis, keepdim); }
Tensor mean(const Tensor& x, int axis, bool keepdim) { return reduce_axis(ReduceKind::Mean, x, axis, keepdim); }
Tensor max(const Tensor& x, int axis, bool keepdim) { return reduce_axis(ReduceKind::Max, x, axis, keepdim); }

}  // namespace flowjet
