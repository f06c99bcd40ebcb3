// CPU kernels of add, sub, mul, div with broadcasting, and of the scalar forms. The equal-shape
// and scalar cases are single contiguous loops; other broadcasts walk rows of the last dim.
#include <algorithm>
#include <vector>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/binary/binary_math.h"

namespace flowjet {
namespace {

constexpr int64_t kGrain = 1 << 15;

// Calls f(o, a_value, b_value) for every output element o of the plan, in parallel chunks.
// The inner loops have fixed strides so the compiler can vectorise them.
template <class T, class F>
void for_each_broadcast(const BroadcastPlan& p, const T* a, const T* b, F f) {
  const int64_t n = p.numel;
  if (p.is_same_shape) {
    parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) f(o, a[o], b[o]);
    });
  } else if (p.is_a_scalar) {
    const T av = a[0];
    parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) f(o, av, b[o]);
    });
  } else if (p.is_b_scalar) {
    const T bv = b[0];
    parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) f(o, a[o], bv);
    });
  } else {
    const int64_t inner = p.dims[3];
    const int64_t rows = p.dims[0] * p.dims[1] * p.dims[2];
    if (inner == 0 || rows == 0) return;
    const int64_t sa = p.a_strides[3], sb = p.b_strides[3];
    parallel_for(rows, std::max<int64_t>(1, kGrain / inner), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t i2 = r % p.dims[2], i1 = (r / p.dims[2]) % p.dims[1], i0 = r / (p.dims[2] * p.dims[1]);
        const T* ar = a + i0 * p.a_strides[0] + i1 * p.a_strides[1] + i2 * p.a_strides[2];
        const T* br = b + i0 * p.b_strides[0] + i1 * p.b_strides[1] + i2 * p.b_strides[2];
        const int64_t o = r * inner;
        if (sa != 0 && sb != 0) {
          for (int64_t k = 0; k < inner; ++k) f(o + k, ar[k], br[k]);
        } else if (sa != 0) {
          for (int64_t k = 0; k < inner; ++k) f(o + k, ar[k], br[0]);
        } else if (sb != 0) {
          for (int64_t k = 0; k < inner; ++k) f(o + k, ar[0], br[k]);
        } else {
          for (int64_t k = 0; k < inner; ++k) f(o + k, ar[0], br[0]);
        }
      }
    });
  }
}

// Adds grad_y * d(op)/d(operand) into `grad`. When the operand has the output's shape the terms go
// straight in; otherwise they are formed at full size and summed over the stretched dims.
template <class T, class Term>
void accumulate_operand_grad(const BroadcastPlan& p, const std::array<int64_t, 4>& strides, bool is_full_shape,
                             const T* a, const T* b, T* grad, Term term) {
  if (is_full_shape) {
    for_each_broadcast(p, a, b, [&](int64_t o, T av, T bv) { grad[o] += term(av, bv, o); });
    return;
  }
  std::vector<T> full(static_cast<std::size_t>(p.numel));
  T* f = full.data();
  for_each_broadcast(p, a, b, [&](int64_t o, T av, T bv) { f[o] = term(av, bv, o); });
  sum_to_cpu(f, p, strides, grad);
}

}  // namespace

template <class T>
void binary_forward_cpu(BinaryKind kind, const T* a, const T* b, T* y, const BroadcastPlan& plan) {
  dispatch_binary_kind(kind, [&](auto op) {
    using Op = decltype(op);
    for_each_broadcast(plan, a, b, [&](int64_t o, T av, T bv) { y[o] = Op::forward(av, bv); });
  });
}

template <class T>
void binary_backward_cpu(BinaryKind kind, const T* a, const T* b, const T* grad_y, T* grad_a, T* grad_b,
                         const BroadcastPlan& plan) {
  dispatch_binary_kind(kind, [&](auto op) {
    using Op = decltype(op);
    const bool a_full = covers_output(plan, plan.a_strides), b_full = covers_output(plan, plan.b_strides);
    if (grad_a)
      accumulate_operand_grad(plan, plan.a_strides, a_full, a, b, grad_a,
                              [&](T av, T bv, int64_t o) { return Op::grad_a(av, bv, grad_y[o]); });
    if (grad_b)
      accumulate_operand_grad(plan, plan.b_strides, b_full, a, b, grad_b,
                              [&](T av, T bv, int64_t o) { return Op::grad_b(av, bv, grad_y[o]); });
  });
}

template <class T>
void scalar_affine_forward_cpu(const T* x, T* y, int64_t n, T scale, T shift) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) y[i] = scale * x[i] + shift;
  });
}

template <class T>
void scalar_affine_backward_cpu(const T* grad_y, T* grad_x, int64_t n, T scale) {
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) grad_x[i] += scale * grad_y[i];
  });
}

#define FLOWJET_INSTANTIATE_BINARY(T)                                                                        \
  template void binary_forward_cpu<T>(BinaryKind, const T*, const T*, T*, const BroadcastPlan&);              \
  template void binary_backward_cpu<T>(BinaryKind, const T*, const T*, const T*, T*, T*, const BroadcastPlan&); \
  template void scalar_affine_forward_cpu<T>(const T*, T*, int64_t, T, T);                                    \
  template void scalar_affine_backward_cpu<T>(const T*, T*, int64_t, T);
FLOWJET_INSTANTIATE_BINARY(float)
FLOWJET_INSTANTIATE_BINARY(double)
#undef FLOWJET_INSTANTIATE_BINARY

}  // namespace flowjet
