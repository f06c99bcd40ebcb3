// CUDA reductions of gradient clipping: one block per gradient tensor sums its squares (or counts its
// non-finite values) in double into one slot of a device array, so many tensors need one copy back to
// the host. Scaling and clamping in place reuse the mul_scalar and clamp launchers.
#include "engine/backend/cuda/launch.cuh"
#include "engine/backend/cuda/reduce.cuh"
#include "engine/optim/clip.h"

namespace flowjet {
namespace {

constexpr unsigned kSumBlock = 1024;

template <class T>
__global__ void grad_sum_kernel(const T* grad, int64_t n, bool count_nonfinite, double* slot) {
  const double total = cuda::block_sum_of(n, [&](int64_t i) {
    const double g = static_cast<double>(grad[i]);
    return count_nonfinite ? (isfinite(g) ? 0.0 : 1.0) : g * g;
  });
  if (threadIdx.x == 0) *slot = total;
}

}  // namespace

template <class T>
void grad_sum_cuda(const T* grad, int64_t n, bool count_nonfinite, double* slot) {
  grad_sum_kernel<T><<<1, kSumBlock, 0, cuda::stream()>>>(grad, n, count_nonfinite, slot);
  FLOWJET_CUDA_CHECK_LAUNCH();
}

template void grad_sum_cuda<float>(const float*, int64_t, bool, double*);
template void grad_sum_cuda<double>(const double*, int64_t, bool, double*);

}  // namespace flowjet
