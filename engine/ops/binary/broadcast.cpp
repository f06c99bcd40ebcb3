// Broadcast plans (numpy rules, at most 4 dims) and the reduction of a broadcast gradient.
#include "engine/ops/binary/broadcast.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"

namespace flowjet {
namespace {

constexpr int64_t kGrain = 1 << 15;

// `shape` padded on the left with 1s to 4 dims.
std::array<int64_t, 4> padded_dims(const Shape& shape) {
  std::array<int64_t, 4> d{1, 1, 1, 1};
  const int offset = 4 - shape.ndim();
  for (int k = 0; k < shape.ndim(); ++k) d[static_cast<std::size_t>(offset + k)] = shape[k];
  return d;
}

// Row-major strides of padded dims, with 0 on size-1 dims (those are the ones that stretch).
std::array<int64_t, 4> broadcast_strides(const std::array<int64_t, 4>& d) {
  std::array<int64_t, 4> s{};
  int64_t stride = 1;
  for (int k = 3; k >= 0; --k) {
    const auto i = static_cast<std::size_t>(k);
    s[i] = d[i] == 1 ? 0 : stride;
    stride *= d[i];
  }
  return s;
}

}  // namespace

BroadcastPlan make_broadcast_plan(const char* op, const Shape& a, const Shape& b) {
  BroadcastPlan plan;
  const std::array<int64_t, 4> da = padded_dims(a), db = padded_dims(b);
  std::vector<int64_t> out_dims(static_cast<std::size_t>(std::max(a.ndim(), b.ndim())));
  const int first = 4 - static_cast<int>(out_dims.size());
  for (int k = 0; k < 4; ++k) {
    const auto i = static_cast<std::size_t>(k);
    if (da[i] != db[i] && da[i] != 1 && db[i] != 1)
      throw ShapeError(fmt::format("{}: shapes {} and {} do not broadcast (dims must be equal or 1, aligned from the "
                                   "last)",
                                   op, a.str(), b.str()));
    plan.dims[i] = da[i] == 1 ? db[i] : da[i];
    if (k >= first) out_dims[static_cast<std::size_t>(k - first)] = plan.dims[i];
  }
  plan.out = Shape(out_dims);
  plan.numel = plan.out.numel();
  plan.a_strides = broadcast_strides(da);
  plan.b_strides = broadcast_strides(db);
  int64_t stride = 1;
  for (int k = 3; k >= 0; --k) {
    plan.out_strides[static_cast<std::size_t>(k)] = stride;
    stride *= plan.dims[static_cast<std::size_t>(k)];
  }
  plan.is_same_shape = a == b;
  plan.is_a_scalar = !plan.is_same_shape && a.numel() == 1 && b == plan.out;
  plan.is_b_scalar = !plan.is_same_shape && b.numel() == 1 && a == plan.out;
  return plan;
}

bool covers_output(const BroadcastPlan& plan, const std::array<int64_t, 4>& strides) {
  for (std::size_t k = 0; k < 4; ++k)
    if (plan.dims[k] > 1 && strides[k] == 0) return false;
  return true;
}

template <class T>
void sum_to_cpu(const T* full, const BroadcastPlan& plan, const std::array<int64_t, 4>& target_strides, T* target) {
  // Target dims t_k are 1 where the operand is stretched; e_k is how many output entries fold onto one.
  std::array<int64_t, 4> t{}, e{};
  int64_t target_numel = 1;
  for (std::size_t k = 0; k < 4; ++k) {
    const bool stretched = target_strides[k] == 0;
    t[k] = stretched ? 1 : plan.dims[k];
    e[k] = stretched ? plan.dims[k] : 1;
    target_numel *= t[k];
  }
  if (target_numel == 0) return;
  const int64_t folded = plan.numel / target_numel;
  const auto& os = plan.out_strides;
  parallel_for(target_numel, std::max<int64_t>(1, kGrain / std::max<int64_t>(folded, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      // Offset in the output of the first entry that folds onto target element j.
      int64_t rest = j, base = 0;
      for (int k = 3; k >= 0; --k) {
        const auto i = static_cast<std::size_t>(k);
        base += (rest % t[i]) * os[i];
        rest /= t[i];
      }
      T acc = T(0);
      for (int64_t r0 = 0; r0 < e[0]; ++r0)
        for (int64_t r1 = 0; r1 < e[1]; ++r1)
          for (int64_t r2 = 0; r2 < e[2]; ++r2) {
            const T* row = full + base + r0 * os[0] + r1 * os[1] + r2 * os[2];
            for (int64_t r3 = 0; r3 < e[3]; ++r3) acc += row[r3 * os[3]];
          }
      target[j] += acc;
    }
  });
}

template void sum_to_cpu<float>(const float*, const BroadcastPlan&, const std::array<int64_t, 4>&, float*);
template void sum_to_cpu<double>(const double*, const BroadcastPlan&, const std::array<int64_t, 4>&, double*);

}  // namespace flowjet
