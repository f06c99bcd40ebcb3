// CPU kernels of cumsum along rows: a running sum left to right (forward) and right to left
// (backward), in the element type, as PyTorch does on the CPU.
#include <algorithm>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/ops/cumsum/cumsum.h"

namespace flowjet {
namespace {
constexpr int64_t kGrain = 1 << 15;
}

template <class T>
void cumsum_forward_cpu(const T* x, T* y, int64_t rows, int64_t width) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(width, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      T acc = T(0);
      for (int64_t j = 0; j < width; ++j) {
        acc += x[r * width + j];
        y[r * width + j] = acc;
      }
    }
  });
}

template <class T>
void cumsum_backward_cpu(const T* grad_y, T* grad_x, int64_t rows, int64_t width) {
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(width, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      T acc = T(0);
      for (int64_t k = width - 1; k >= 0; --k) {
        acc += grad_y[r * width + k];  // sum of g_j over j >= k
        grad_x[r * width + k] += acc;
      }
    }
  });
}

template void cumsum_forward_cpu<float>(const float*, float*, int64_t, int64_t);
template void cumsum_forward_cpu<double>(const double*, double*, int64_t, int64_t);
template void cumsum_backward_cpu<float>(const float*, float*, int64_t, int64_t);
template void cumsum_backward_cpu<double>(const double*, double*, int64_t, int64_t);

}  // namespace flowjet
