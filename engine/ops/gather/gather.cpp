// Wiring of gather_columns and scatter_columns: index validation, dispatch and recording.
#include "engine/ops/gather/gather.h"

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"

namespace flowjet {
namespace {

void require_cpu(const char* op, const Tensor& t) {
  if (t.device() == Device::CUDA) throw CudaError(fmt::format("{}: no CUDA kernel in this build", op));
}

// Throws unless every index lies in [0, D); `what` names the index list in the message.
void check_index_range(const char* op, const std::string& what, const std::vector<int64_t>& index, int64_t D) {
  for (std::size_t k = 0; k < index.size(); ++k)
    if (index[k] < 0 || index[k] >= D)
      throw ShapeError(fmt::format("{}: {}[{}] = {} is outside the columns [0, {})", op, what, k, index[k], D));
}

}  // namespace

Tensor gather_columns(const Tensor& x, const std::vector<int64_t>& index) {
  check_same_dtype_device("gather_columns", {&x});
  check_ndim("gather_columns", "x", x, 2);
  const int64_t N = x.size(0), D = x.size(1), K = static_cast<int64_t>(index.size());
  check_index_range("gather_columns", "index", index, D);
  require_cpu("gather_columns", x);
  Tensor y = Tensor::empty(Shape{N, K}, x.dtype(), x.device());
  dispatch_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    gather_columns_cpu<T>(x.data<T>(), D, index.data(), K, y.data<T>(), N, false);
  });
  if (should_record({&x})) {
    record("gather_columns", {x}, {y}, [x, index, N, D, K](const std::vector<Tensor>& grads) {
      Tensor grad_x = grad_buffer(x);
      dispatch_dtype(x.dtype(), [&](auto zero) {
        using T = decltype(zero);
        scatter_columns_cpu<T>(grads[0].data<T>(), K, index.data(), grad_x.data<T>(), D, N, true);
      });
    });
  }
  return y;
}

Tensor scatter_columns(const std::vector<Tensor>& parts, const std::vector<std::vector<int64_t>>& indices, int64_t D) {
  const char* op = "scatter_columns";
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
  require_cpu(op, parts[0]);
  Tensor y = Tensor::empty(Shape{N, D}, parts[0].dtype(), parts[0].device());
  dispatch_dtype(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    for (std::size_t p = 0; p < parts.size(); ++p)
      scatter_columns_cpu<T>(parts[p].data<T>(), parts[p].size(1), indices[p].data(), y.data<T>(), D, N, false);
  });
  if (should_record(parts)) {
    record(op, parts, {y}, [parts, indices, N, D](const std::vector<Tensor>& grads) {
      for (std::size_t p = 0; p < parts.size(); ++p) {
        Tensor grad_part = grad_buffer(parts[p]);
        if (!grad_part.defined()) continue;
        dispatch_dtype(grad_part.dtype(), [&](auto zero) {
          using T = decltype(zero);
          gather_columns_cpu<T>(grads[0].data<T>(), D, indices[p].data(), grad_part.size(1), grad_part.data<T>(), N,
                                true);
        });
      }
    });
  }
  return y;
}

}  // namespace flowjet
