// Wiring of gather_columns and scatter_columns: index validation, dispatch and recording.
#include "engine/ops/gather/gather.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/profile/profiler.h"

namespace flowjet {
namespace {

// dst[n, k] (= or +=) src[n, index[k]] for src [N, D], dst [N, K], on src's device; `op` names the caller.
void gather_into(const char* op, const Tensor& src, const std::vector<int64_t>& index, Tensor& dst, bool accumulate) {
  const int64_t N = src.size(0), D = src.size(1), K = static_cast<int64_t>(index.size());
  dispatch_dtype(src.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(src.data<T>(), D, index.data(), K, dst.data<T>(), N, accumulate); };
    if (src.device() == Device::CUDA)
      cuda_branch(op, [&] { run(gather_columns_cuda<T>); });
    else
      run(gather_columns_cpu<T>);
  });
}

// dst[n, index[k]] (= or +=) src[n, k] for src [N, K], dst [N, D].
void scatter_into(const char* op, const Tensor& src, const std::vector<int64_t>& index, Tensor& dst, bool accumulate) {
  const int64_t N = src.size(0), D = dst.size(1), K = static_cast<int64_t>(index.size());
  dispatch_dtype(src.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto run = [&](auto kernel) { kernel(src.data<T>(), K, index.data(), dst.data<T>(), D, N, accumulate); };
    if (src.device() == Device::CUDA)
      cuda_branch(op, [&] { run(scatter_columns_cuda<T>); });
    else
      run(scatter_columns_cpu<T>);
  });
}

// Throws unless every index lies in [0, D); `what` names the index list in the message.
void check_index_range(const char* op, const std::string& what, const std::vector<int64_t>& index, int64_t D) {
  for (std::size_t k = 0; k < index.size(); ++k)
    if (index[k] < 0 || index[k] >= D)
      throw ShapeError(fmt::format("{}: {}[{}] = {} is outside the columns [0, {})", op, what, k, index[k], D));
}

}  // namespace

Tensor gather_columns(const Tensor& x, const std::vector<int64_t>& index) {
  OpProfileScope scope("gather_columns", {&x});
  check_same_dtype_device("gather_columns", {&x});
  check_ndim("gather_columns", "x", x, 2);
  const int64_t N = x.size(0), D = x.size(1), K = static_cast<int64_t>(index.size());
  check_index_range("gather_columns", "index", index, D);
  Tensor y = Tensor::empty(Shape{N, K}, x.dtype(), x.device());
  gather_into("gather_columns", x, index, y, false);
  if (should_record({&x})) {
    record("gather_columns", {x}, {y}, [x, index](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      scatter_into("gather_columns", grads[0], index, grad_x, true);
    });
  }
  scope.add_written(y);
  return y;
}

Tensor scatter_columns(const std::vector<Tensor>& parts, const std::vector<std::vector<int64_t>>& indices, int64_t D) {
  const char* op = "scatter_columns";
  OpProfileScope scope(op);
  for (const Tensor& p : parts) scope.add_read(p);
  if (parts.empty()) throw ShapeError("scatter_columns: needs at least one part");
  if (parts.size() != indices.size())
    throw ShapeError(fmt::format("scatter_columns: {} parts but {} index lists", parts.size(), indices.size()));
  std::vector<const Tensor*> all;
  for (const Tensor& p : parts) all.push_back(&p);
  check_same_dtype_device(op, all);
  const int64_t N = parts[0].ndim() == 2 ? parts[0].size(0) : -1;
  std::vector<int> owner(static_cast<std::size_t>(std::max<int64_t>(D, 0)), -1);  // which part fills each column
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const std::string name = fmt::format("indices[{}]", p);
    if (parts[p].ndim() != 2 || parts[p].size(0) != N || parts[p].size(1) != static_cast<int64_t>(indices[p].size()))
      throw ShapeError(fmt::format("scatter_columns: part {} is {}, expected [{}, {}] (rows of part 0, length of {})",
                                   p, parts[p].shape().str(), N, indices[p].size(), name));
    check_index_range(op, name, indices[p], D);
    for (int64_t column : indices[p]) {
      int& o = owner[static_cast<std::size_t>(column)];
      if (o >= 0) throw ShapeError(fmt::format("scatter_columns: column {} is given by part {} and again by part {}",
                                               column, o, p));
      o = static_cast<int>(p);
    }
  }
  for (int64_t column = 0; column < D; ++column)
    if (owner[static_cast<std::size_t>(column)] < 0)
      throw ShapeError(fmt::format("scatter_columns: column {} of {} is not covered by any part", column, D));
  Tensor y = Tensor::empty(Shape{N, D}, parts[0].dtype(), parts[0].device());
  for (std::size_t p = 0; p < parts.size(); ++p) scatter_into(op, parts[p], indices[p], y, false);
  if (should_record(parts)) {
    record(op, parts, {y}, [op, parts, indices](const std::vector<Tensor>& grads) {
      for (std::size_t p = 0; p < parts.size(); ++p) {
        Tensor grad_part = grad_buffer(parts[p]);
        if (grad_part.defined()) gather_into(op, grads[0], indices[p], grad_part, true);
      }
    });
  }
  scope.add_written(y);
  return y;
}

}  // namespace flowjet
