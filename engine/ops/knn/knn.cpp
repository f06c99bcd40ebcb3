// Wiring of knn: shape checks and dispatch (integer output, nothing recorded).
#include "engine/ops/knn/knn.h"

#include <fmt/format.h>

#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {

std::vector<int64_t> knn(const Tensor& x, int64_t k) {
  OpProfileScope scope("knn", {&x});
  check_same_dtype_device("knn", {&x});
  check_ndim("knn", "x", x, 3);
  const int64_t groups = x.size(0), points = x.size(1), features = x.size(2);
  if (k < 0 || k > points - 1)
    throw ShapeError(fmt::format("knn: k = {} neighbours need at least k + 1 points per group, x is {}", k,
                                 x.shape().str()));
  std::vector<int64_t> index(static_cast<std::size_t>(groups * points * k));
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(x.data<T>(), index.data(), groups, points, features, k); };
    if (x.device() == Device::CUDA)
      cuda_branch("knn", [&] { run(knn_forward_cuda<T>); });
    else
      run(knn_forward_cpu<T>);
  });
  scope.add_bytes(0, static_cast<int64_t>(index.size() * sizeof(int64_t)));
  return index;
}

}  // namespace flowjet
