// CPU kernels of normal_log_prob and mse; sums accumulate in double. mse's sum is split into fixed
// blocks added in order, so the result does not depend on the number of threads.
#include <algorithm>
#include <vector>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/loss/loss.h"

namespace flowjet {
namespace {

constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kBlock = 1 << 14;
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // 0.5 * log(2 pi)

}  // namespace

template <class T>
void normal_log_prob_forward_cpu(const T* z, T* y, int64_t rows, int64_t width) {
  const double constant = kHalfLog2Pi * static_cast<double>(width);
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(width, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      double squares = 0.0;
      for (int64_t i = 0; i < width; ++i) squares += static_cast<double>(z[r * width + i]) * z[r * width + i];
      y[r] = static_cast<T>(-0.5 * squares - constant);
    }
  });
}

template <class T>
void normal_log_prob_backward_cpu(const T* z, const T* grad_y, T* grad_z, int64_t rows, int64_t width) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(width, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      for (int64_t i = 0; i < width; ++i) grad_z[r * width + i] -= grad_y[r] * z[r * width + i];  // w.r.t. z_i: -z_i
  });
}

template <class T>
T mse_forward_cpu(const T* a, const T* b, int64_t n) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<std::size_t>(blocks));
  parallel_for(blocks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t block = begin; block < end; ++block) {
      double acc = 0.0;
      for (int64_t i = block * kBlock; i < std::min(n, (block + 1) * kBlock); ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        acc += d * d;
      }
      partial[static_cast<std::size_t>(block)] = acc;
    }
  });
  double total = 0.0;
  for (double p : partial) total += p;
  return static_cast<T>(total / static_cast<double>(n));
}

template <class T>
void mse_backward_cpu(const T* a, const T* b, T grad_y, T* grad_a, T* grad_b, int64_t n) {
  const T scale = T(2) * grad_y / static_cast<T>(n);  // d/da_i of (1/n) sum (a - b)^2 = 2 (a_i - b_i) / n
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const T d = scale * (a[i] - b[i]);
      if (grad_a) grad_a[i] += d;
      if (grad_b) grad_b[i] -= d;
    }
  });
}

template void normal_log_prob_forward_cpu<float>(const float*, float*, int64_t, int64_t);
template void normal_log_prob_forward_cpu<double>(const double*, double*, int64_t, int64_t);
template void normal_log_prob_backward_cpu<float>(const float*, const float*, float*, int64_t, int64_t);
template void normal_log_prob_backward_cpu<double>(const double*, const double*, double*, int64_t, int64_t);
template float mse_forward_cpu<float>(const float*, const float*, int64_t);
template double mse_forward_cpu<double>(const double*, const double*, int64_t);
template void mse_backward_cpu<float>(const float*, const float*, float, float*, float*, int64_t);
template void mse_backward_cpu<double>(const double*, const double*, double, double*, double*, int64_t);

}  // namespace flowjet
