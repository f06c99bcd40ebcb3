// CUDA launchers of linear and matmul: the products go to cuBLAS (engine/backend/cuda/blas.h, row-major),
// the bias is broadcast by a small kernel and its gradient is a column sum.
#include "engine/backend/cuda/blas.h"
#include "engine/backend/cuda/launch.cuh"
#include "engine/ops/linear/linear_cpu.h"

namespace flowjet {
namespace {

// y[n, j] = bias[j]: the starting value the GEMM then adds x W^T to.
template <class T>
__global__ void linear_bias_kernel(const T* bias, T* y, int64_t batch, int64_t out) {
  FLOWJET_KERNEL_LOOP(i, batch * out) { y[i] = bias[i % out]; }
}

}  // namespace

// ---- linear ----

template <class T>
void linear_forward_cuda(const T* x, const T* weight, const T* bias, T* y, int64_t batch, int64_t in, int64_t out) {
  if (batch == 0 || out == 0) return;
  if (bias) {
    linear_bias_kernel<T><<<cuda::grid_for(batch * out), cuda::kBlockSize, 0, cuda::stream()>>>(bias, y, batch, out);
    FLOWJET_CUDA_CHECK_LAUNCH();
  }
  // y [batch, out] (+)= x [batch, in] W^T, W [out, in]
  cuda::gemm<T>(false, true, batch, out, in, T(1), x, weight, bias ? T(1) : T(0), y);
}

template <class T>
void linear_backward_cuda(const T* x, const T* weight, const T* grad_y, T* grad_x, T* grad_weight, T* grad_bias,
                          int64_t batch, int64_t in, int64_t out) {
  if (grad_x) cuda::gemm<T>(false, false, batch, in, out, T(1), grad_y, weight, T(1), grad_x);      // += dy W
  if (grad_weight) cuda::gemm<T>(true, false, out, in, batch, T(1), grad_y, x, T(1), grad_weight);  // += dy^T x
  if (grad_bias) cuda::add_column_sums<T>(grad_y, batch, out, grad_bias);                           // += sum_n dy
}

// ---- matmul ----

template <class T>
void matmul_forward_cuda(const T* a, const T* b, T* c, int64_t M, int64_t K, int64_t N) {
  cuda::gemm<T>(false, false, M, N, K, T(1), a, b, T(0), c);
}

template <class T>
void matmul_backward_cuda(const T* a, const T* b, const T* grad_c, T* grad_a, T* grad_b, int64_t M, int64_t K,
                          int64_t N) {
  if (grad_a) cuda::gemm<T>(false, true, M, K, N, T(1), grad_c, b, T(1), grad_a);  // += dC B^T
  if (grad_b) cuda::gemm<T>(true, false, K, N, M, T(1), a, grad_c, T(1), grad_b);  // += A^T dC
}

#define FLOWJET_INSTANTIATE_LINEAR_CUDA(T)                                                                    \
  template void linear_forward_cuda<T>(const T*, const T*, const T*, T*, int64_t, int64_t, int64_t);          \
  template void linear_backward_cuda<T>(const T*, const T*, const T*, T*, T*, T*, int64_t, int64_t, int64_t); \
  template void matmul_forward_cuda<T>(const T*, const T*, T*, int64_t, int64_t, int64_t);                    \
  template void matmul_backward_cuda<T>(const T*, const T*, const T*, T*, T*, int64_t, int64_t, int64_t);
FLOWJET_INSTANTIATE_LINEAR_CUDA(float)
FLOWJET_INSTANTIATE_LINEAR_CUDA(double)

}  // namespace flowjet
