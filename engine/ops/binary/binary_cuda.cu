// CUDA kernels of add, sub, mul, div with numpy broadcasting (index math in backend/cuda/broadcast.cuh),
// and of the scalar forms. Forward and the gradient of an operand with the output's shape: one thread per
// output element. The gradient of a stretched operand: one block per operand element, summing (in double)
// the terms of every output element that folds onto it, in a fixed order.
#include <algorithm>
#include <array>

#include "engine/backend/cuda/broadcast.cuh"
#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/reduce.cuh"
#include "engine/ops/binary/binary.h"
#include "engine/ops/binary/binary_math.h"

namespace flowjet {
namespace {

using cuda::BroadcastFold;
using cuda::BroadcastIndex;
using cuda::OperandOffsets;

// ---- forward ----

template <class T, class Op>
__global__ void binary_forward_kernel(const T* a, const T* b, T* y, int64_t n, BroadcastIndex p) {
  FLOWJET_KERNEL_LOOP(o, n) {
    const OperandOffsets off = cuda::broadcast_offsets(p, o);
    y[o] = Op::forward(a[off.a], b[off.b]);
  }
}

template <class T>
__global__ void scalar_affine_forward_kernel(const T* x, T* y, int64_t n, T scale, T shift) {
  FLOWJET_KERNEL_LOOP(i, n) { y[i] = scale * x[i] + shift; }
}

// ---- backward ----

// Operands with the output's shape: their gradient terms go straight in (null: not wanted here).
template <class T, class Op>
__global__ void binary_backward_full_kernel(const T* a, const T* b, const T* grad_y, T* grad_a, T* grad_b, int64_t n,
                                            BroadcastIndex p) {
  FLOWJET_KERNEL_LOOP(o, n) {
    const OperandOffsets off = cuda::broadcast_offsets(p, o);
    if (grad_a) grad_a[off.a] += Op::grad_a(a[off.a], b[off.b], grad_y[o]);
    if (grad_b) grad_b[off.b] += Op::grad_b(a[off.a], b[off.b], grad_y[o]);
  }
}

// A stretched operand (a when is_a): block j sums the terms of the output elements folding onto element j.
template <class T, class Op, bool is_a>
__global__ void binary_backward_fold_kernel(const T* a, const T* b, const T* grad_y, T* grad, BroadcastIndex p,
                                            BroadcastFold f) {
  for (int64_t j = blockIdx.x; j < f.target_numel; j += gridDim.x) {
    const double total = cuda::block_sum_of(f.folded, [&](int64_t r) {
      OperandOffsets off;
      const int64_t o = cuda::folded_output(p, f, j, r, off);
      return is_a ? Op::grad_a(a[off.a], b[off.b], grad_y[o]) : Op::grad_b(a[off.a], b[off.b], grad_y[o]);
    });
    if (threadIdx.x == 0) grad[j] += static_cast<T>(total);
  }
}

template <class T>
__global__ void scalar_affine_backward_kernel(const T* grad_y, T* grad_x, int64_t n, T scale) {
  FLOWJET_KERNEL_LOOP(i, n) { grad_x[i] += scale * grad_y[i]; }
}

// ---- plan conversion ----

BroadcastIndex to_index(const BroadcastPlan& plan) {
  BroadcastIndex p{};
  for (std::size_t k = 0; k < 4; ++k) {
    p.dims[k] = plan.dims[k];
    p.out_strides[k] = plan.out_strides[k];
    p.a_strides[k] = plan.a_strides[k];
    p.b_strides[k] = plan.b_strides[k];
  }
  p.is_same_shape = plan.is_same_shape;
  return p;
}

BroadcastFold to_fold(const BroadcastPlan& plan, const std::array<int64_t, 4>& strides) {
  BroadcastFold f{};
  f.target_numel = 1;
  f.folded = 1;
  for (std::size_t k = 0; k < 4; ++k) {
    const bool stretched = strides[k] == 0;
    f.target_dims[k] = stretched ? 1 : plan.dims[k];
    f.fold_dims[k] = stretched ? plan.dims[k] : 1;
    f.target_numel *= f.target_dims[k];
    f.folded *= f.fold_dims[k];
  }
  return f;
}

template <class T, class Op, bool is_a>
void launch_fold(const T* a, const T* b, const T* grad_y, T* grad, const BroadcastPlan& plan,
                 const std::array<int64_t, 4>& strides) {
  const BroadcastFold f = to_fold(plan, strides);
  if (f.target_numel == 0 || f.folded == 0) return;
  // Enough warps to cover the folded elements once, at most kBlockSize threads.
  const int64_t threads = std::min<int64_t>(cuda::kBlockSize, (f.folded + 31) / 32 * 32);
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(f.target_numel, 65535 * 8));
  binary_backward_fold_kernel<T, Op, is_a>
      <<<blocks, static_cast<unsigned>(threads), 0, cuda::stream()>>>(a, b, grad_y, grad, to_index(plan), f);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

}  // namespace

// ---- launchers ----

template <class T>
void binary_forward_cuda(BinaryKind kind, const T* a, const T* b, T* y, const BroadcastPlan& plan) {
  if (plan.numel == 0) return;
  dispatch_binary_kind(kind, [&](auto op) {
    binary_forward_kernel<T, decltype(op)>
        <<<cuda::grid_for(plan.numel), cuda::kBlockSize, 0, cuda::stream()>>>(a, b, y, plan.numel, to_index(plan));
  });
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void binary_backward_cuda(BinaryKind kind, const T* a, const T* b, const T* grad_y, T* grad_a, T* grad_b,
                          const BroadcastPlan& plan) {
  if (plan.numel == 0) return;
  const bool a_full = covers_output(plan, plan.a_strides), b_full = covers_output(plan, plan.b_strides);
  dispatch_binary_kind(kind, [&](auto op) {
    using Op = decltype(op);
    T* full_a = a_full ? grad_a : nullptr;
    T* full_b = b_full ? grad_b : nullptr;
    if (full_a || full_b) {
      binary_backward_full_kernel<T, Op><<<cuda::grid_for(plan.numel), cuda::kBlockSize, 0, cuda::stream()>>>(
          a, b, grad_y, full_a, full_b, plan.numel, to_index(plan));
      FLOWJET_CUDA_CHECK_LAUNCH();
    }
    if (grad_a && !a_full) launch_fold<T, Op, true>(a, b, grad_y, grad_a, plan, plan.a_strides);
    if (grad_b && !b_full) launch_fold<T, Op, false>(a, b, grad_y, grad_b, plan, plan.b_strides);
  });
}

template <class T>
void scalar_affine_forward_cuda(const T* x, T* y, int64_t n, T scale, T shift) {
  if (n == 0) return;
  scalar_affine_forward_kernel<T><<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(x, y, n, scale, shift);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template <class T>
void scalar_affine_backward_cuda(const T* grad_y, T* grad_x, int64_t n, T scale) {
  if (n == 0) return;
  scalar_affine_backward_kernel<T>
      <<<cuda::grid_for(n), cuda::kBlockSize, 0, cuda::stream()>>>(grad_y, grad_x, n, scale);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

#define FLOWJET_INSTANTIATE_BINARY_CUDA(T)                                                                       \
  template void binary_forward_cuda<T>(BinaryKind, const T*, const T*, T*, const BroadcastPlan&);                \
  template void binary_backward_cuda<T>(BinaryKind, const T*, const T*, const T*, T*, T*, const BroadcastPlan&); \
  template void scalar_affine_forward_cuda<T>(const T*, T*, int64_t, T, T);                                      \
  template void scalar_affine_backward_cuda<T>(const T*, T*, int64_t, T);
FLOWJET_INSTANTIATE_BINARY_CUDA(float)
FLOWJET_INSTANTIATE_BINARY_CUDA(double)
#undef FLOWJET_INSTANTIATE_BINARY_CUDA

}  // namespace flowjet
