// Wiring of gather_neighbours: shape and index checks, dispatch and recording.
#include "engine/ops/gather_neighbours/gather_neighbours.h"

#include <memory>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

Tensor gather_neighbours(const Tensor& x, const std::vector<int64_t>& index, int64_t k) {
  const char* op = "gather_neighbours";
  OpProfileScope scope(op, {&x});
  check_same_dtype_device(op, {&x});
  check_ndim(op, "x", x, 3);
  const int64_t groups = x.size(0), points = x.size(1), channels = x.size(2);
  if (k < 0) throw ShapeError(fmt::format("gather_neighbours: k = {} must not be negative", k));
  if (static_cast<int64_t>(index.size()) != groups * points * k)
    throw ShapeError(fmt::format("gather_neighbours: x {} with k = {} needs {} indices ([{}, {}, {}]), got {}",
                                 x.shape().str(), k, groups * points * k, groups, points, k, index.size()));
  for (std::size_t n = 0; n < index.size(); ++n)
    if (index[n] < 0 || index[n] >= points)
      throw ShapeError(fmt::format("gather_neighbours: index[{}] = {} is outside the points [0, {}) of x {}", n,
                                   index[n], points, x.shape().str()));
  Tensor y = Tensor::empty(Shape{groups, points, k, channels}, x.dtype(), x.device());
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(x.data<T>(), index.data(), y.data<T>(), groups, points, k, channels); };
    if (x.device() == Device::CUDA)
      cuda_branch(op, [&] { run(gather_neighbours_forward_cuda<T>); });
    else
      run(gather_neighbours_forward_cpu<T>);
  });
  if (should_record({&x})) {
    auto saved_index = std::make_shared<std::vector<int64_t>>(index);
    record(op, {x}, {y}, [op, x, saved_index, groups, points, k, channels](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        auto run = [&](auto kernel) {
          kernel(grads[0].data<T>(), saved_index->data(), grad_x.data<T>(), groups, points, k, channels);
        };
        if (x.device() == Device::CUDA)
          cuda_branch(op, [&] { run(gather_neighbours_backward_cuda<T>); });
        else
          run(gather_neighbours_backward_cpu<T>);
      });
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace flowjet
