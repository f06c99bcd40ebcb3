// CPU kernels of sum, mean and max along the middle axis of [outer, n, inner]. Sums accumulate
// in double. A single long sum is split into fixed blocks whose partial sums are added in block
// order, so the result does not depend on the number of threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/reduce/reduce.h"

namespace flowjet {
namespace {

constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kBlock = 1 << 14;  // elements per partial sum of a full reduction

// Sum of `count` values spaced `stride` apart, in double.
template <class T>
double strided_sum(const T* x, int64_t count, int64_t stride) {
  double acc = 0.0;
  for (int64_t k = 0; k < count; ++k) acc += static_cast<double>(x[k * stride]);
  return acc;
}

// Sum of a long contiguous run: fixed blocks summed in parallel, then in order.
template <class T>
double blocked_sum(const T* x, int64_t n) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<std::size_t>(blocks));
  parallel_for(blocks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      partial[static_cast<std::size_t>(i)] = strided_sum(x + i * kBlock, std::min(kBlock, n - i * kBlock), 1);
  });
  double acc = 0.0;
  for (double p : partial) acc += p;
  return acc;
}

// Position of the first maximum of `count` values spaced `stride` apart; a NaN wins at once.
template <class T>
int64_t first_argmax(const T* x, int64_t count, int64_t stride) {
  int64_t best = 0;
  for (int64_t k = 0; k < count; ++k) {
    const T v = x[k * stride];
    if (std::isnan(v)) return k;
    if (v > x[best * stride]) best = k;
  }
  return best;
}

}  // namespace

template <class T>
void reduce_forward_cpu(ReduceKind kind, const T* x, T* y, int64_t* argmax, int64_t outer, int64_t n, int64_t inner) {
  const double scale = kind == ReduceKind::Mean ? 1.0 / static_cast<double>(n) : 1.0;
  if (outer * inner == 1 && kind != ReduceKind::Max) {
    // n == 0 gives 0 for sum and 0 * inf = NaN for mean, as 0/0.
    y[0] = static_cast<T>(n == 0 ? 0.0 * scale : blocked_sum(x, n) * scale);
    return;
  }
  parallel_for(outer * inner, std::max<int64_t>(1, kGrain / std::max<int64_t>(n, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      const int64_t o = j / inner, i = j % inner;
      const T* column = x + o * n * inner + i;
      if (kind == ReduceKind::Max) {
        const int64_t k = first_argmax(column, n, inner);
        argmax[j] = k;
        y[j] = column[k * inner];
      } else {
        y[j] = static_cast<T>(n == 0 ? 0.0 * scale : strided_sum(column, n, inner) * scale);
      }
    }
  });
}

template <class T>
void reduce_backward_cpu(ReduceKind kind, const T* grad_y, const int64_t* argmax, T* grad_x, int64_t outer, int64_t n,
                         int64_t inner) {
  if (kind == ReduceKind::Max) {
    // d max / dx_k = 1 only at the recorded argmax.
    for (int64_t j = 0; j < outer * inner; ++j) grad_x[(j / inner) * n * inner + argmax[j] * inner + j % inner] += grad_y[j];
    return;
  }
  const T scale = kind == ReduceKind::Mean ? T(1) / static_cast<T>(n) : T(1);
  if (outer * inner == 1) {
    const T g = grad_y[0] * scale;
    parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) grad_x[k] += g;
    });
    return;
  }
  // Every x[o, k, i] receives grad_y[o, i] * scale: parallel over the (o, k) rows of length inner.
  parallel_for(outer * n, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const T* g = grad_y + (r / n) * inner;
      T* gx = grad_x + r * inner;
      for (int64_t i = 0; i < inner; ++i) gx[i] += g[i] * scale;
    }
  });
}

template void reduce_forward_cpu<float>(ReduceKind, const float*, float*, int64_t*, int64_t, int64_t, int64_t);
template void reduce_forward_cpu<double>(ReduceKind, const double*, double*, int64_t*, int64_t, int64_t, int64_t);
template void reduce_backward_cpu<float>(ReduceKind, const float*, const int64_t*, float*, int64_t, int64_t, int64_t);
template void reduce_backward_cpu<double>(ReduceKind, const double*, const int64_t*, double*, int64_t, int64_t,
                                          int64_t);

}  // namespace flowjet
