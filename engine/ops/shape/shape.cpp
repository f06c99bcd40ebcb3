// Wiring of concat, slice, reshape and transpose: shape checks, dispatch and recording. concat
// and slice view a tensor as [outer, n * inner] around the chosen axis and copy runs of rows.
#include "engine/ops/shape/shape.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {
namespace {

// Products of the dims before and after `axis`.
struct AxisSplit {
  int64_t outer = 1, inner = 1;
};
AxisSplit split_at(const Shape& shape, int axis) {
  AxisSplit s;
  for (int k = 0; k < axis; ++k) s.outer *= shape[k];
  for (int k = axis + 1; k < shape.ndim(); ++k) s.inner *= shape[k];
  return s;
}

// Copies (or adds) `rows` runs of `width` values between two tensors, starting at element offsets;
// `op` names the caller.
void copy_blocks(const char* op, const Tensor& src, int64_t src_offset, int64_t src_stride, Tensor& dst,
                 int64_t dst_offset, int64_t dst_stride, int64_t rows, int64_t width, bool accumulate) {
  dispatch_dtype(src.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) {
      kernel(src.data<T>() + src_offset, src_stride, dst.data<T>() + dst_offset, dst_stride, rows, width, accumulate);
    };
    if (src.device() == Device::CUDA)
      cuda_branch(op, [&] { run(copy_blocks_cuda<T>); });
    else
      run(copy_blocks_cpu<T>);
  });
}

// y[c, r] (= or +=) x[r, c] for x [rows, cols].
void transpose_into(const Tensor& x, Tensor& y, int64_t rows, int64_t cols, bool accumulate) {
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(x.data<T>(), y.data<T>(), rows, cols, accumulate); };
    if (x.device() == Device::CUDA)
      cuda_branch("transpose", [&] { run(transpose_cuda<T>); });
    else
      run(transpose_cpu<T>);
  });
}

}  // namespace

Tensor concat(const std::vector<Tensor>& parts, int axis) {
  OpProfileScope scope("concat");
  for (const Tensor& p : parts) scope.add_read(p);
  if (parts.empty()) throw ShapeError("concat: needs at least one tensor");
  std::vector<const Tensor*> all;
  for (const Tensor& p : parts) all.push_back(&p);
  check_same_dtype_device("concat", all);
  const Shape& first = parts[0].shape();
  if (first.ndim() == 0) throw ShapeError("concat: cannot join 0-d tensors; reshape them to [1] first");
  const int a = normalize_axis(axis, first.ndim(), "concat");
  std::vector<int64_t> dims = first.dims();
  dims[static_cast<std::size_t>(a)] = 0;
  for (const Tensor& p : parts) {
    bool fits = p.ndim() == first.ndim();
    for (int k = 0; fits && k < first.ndim(); ++k) fits = k == a || p.size(k) == first[k];
    if (!fits)
      throw ShapeError(fmt::format("concat: along axis {}, {} does not fit {} (other axes must agree)", axis,
                                   p.shape().str(), first.str()));
    dims[static_cast<std::size_t>(a)] += p.size(a);
  }
  const Shape out_shape(dims);
  const AxisSplit s = split_at(out_shape, a);
  const int64_t out_width = out_shape[a] * s.inner;
  Tensor y = Tensor::empty(out_shape, parts[0].dtype(), parts[0].device());
  // Each part's runs start `offset` elements into each output row.
  std::vector<int64_t> offsets, widths;
  int64_t offset = 0;
  for (const Tensor& p : parts) {
    offsets.push_back(offset);
    widths.push_back(p.size(a) * s.inner);
    offset += widths.back();
    copy_blocks("concat", p, 0, widths.back(), y, offsets.back(), out_width, s.outer, widths.back(), false);
  }
  if (should_record(parts)) {
    record("concat", parts, {y}, [parts, offsets, widths, out_width, outer = s.outer](const std::vector<Tensor>& grads) {
      for (std::size_t i = 0; i < parts.size(); ++i) {
        Tensor grad_part = grad_buffer(parts[i]);
        if (grad_part.defined())
          copy_blocks("concat", grads[0], offsets[i], out_width, grad_part, 0, widths[i], outer, widths[i], true);
      }
    });
  }
  scope.add_written(y);
  return y;
}

Tensor slice(const Tensor& x, int axis, int64_t begin, int64_t end) {
  OpProfileScope scope("slice", {&x});
  check_same_dtype_device("slice", {&x});
  if (x.ndim() == 0) throw ShapeError("slice: cannot slice a 0-d tensor");
  const int a = normalize_axis(axis, x.ndim(), "slice");
  if (begin < 0 || begin > end || end > x.size(a))
    throw ShapeError(fmt::format("slice: range [{}, {}) is not inside axis {} of {} (size {})", begin, end, axis,
                                 x.shape().str(), x.size(a)));
  std::vector<int64_t> dims = x.shape().dims();
  dims[static_cast<std::size_t>(a)] = end - begin;
  const AxisSplit s = split_at(x.shape(), a);
  const int64_t in_width = x.size(a) * s.inner, out_width = (end - begin) * s.inner, offset = begin * s.inner;
  Tensor y = Tensor::empty(Shape(dims), x.dtype(), x.device());
  copy_blocks("slice", x, offset, in_width, y, 0, out_width, s.outer, out_width, false);
  if (should_record({&x})) {
    record("slice", {x}, {y}, [x, offset, in_width, out_width, outer = s.outer](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      copy_blocks("slice", grads[0], 0, out_width, grad_x, offset, in_width, outer, out_width, true);
    });
  }
  scope.add_written(y);
  return y;
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  OpProfileScope scope("reshape");  // a view: no bytes move
  check_same_dtype_device("reshape", {&x});
  if (shape.numel() != x.numel())
    throw ShapeError(fmt::format("reshape: cannot reshape {} ({} elements) into {} ({} elements)", x.shape().str(),
                                 x.numel(), shape.str(), shape.numel()));
  Tensor y = x.view(shape);
  if (should_record({&x})) {
    record("reshape", {x}, {y}, [x](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      // The gradient has the same row-major order: add it as one run.
      copy_blocks("reshape", grads[0], 0, 0, grad_x, 0, 0, 1, x.numel(), true);
    });
  }
  return y;
}

Tensor transpose(const Tensor& x) {
  OpProfileScope scope("transpose", {&x});
  check_same_dtype_device("transpose", {&x});
  check_ndim("transpose", "x", x, 2);
  const int64_t rows = x.size(0), cols = x.size(1);
  Tensor y = Tensor::empty(Shape{cols, rows}, x.dtype(), x.device());
  transpose_into(x, y, rows, cols, false);
  if (should_record({&x})) {
    record("transpose", {x}, {y}, [x, rows, cols](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      transpose_into(grads[0], grad_x, cols, rows, true);  // (dL/dy)^T
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace flowjet
