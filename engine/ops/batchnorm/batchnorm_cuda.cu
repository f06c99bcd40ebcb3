// CUDA launchers of batchnorm: the shared kernels of batchnorm_kernels.cuh with the identity epilogue and
// dL/dy read as given. Derivation: README.md.
#include "engine/ops/batchnorm/batchnorm.h"
#include "engine/ops/batchnorm/batchnorm_kernels.cuh"

namespace flowjet {
namespace {

template <class T>
struct Identity {
  __device__ T operator()(int64_t, T v) const { return v; }
};

template <class T>
struct GivenGrad {
  const T* grad_y;
  __device__ T operator()(int64_t i) const { return grad_y[i]; }
};

}  // namespace

template <class T>
void batchnorm_forward_cuda(const T* x, const T* gamma, const T* beta, T* running_mean, T* running_var, T* mean,
                            T* inv_std, T* y, int64_t N, int64_t C, int64_t S, bool is_training, double momentum,
                            double eps) {
  batchnorm_kernels::launch_forward(x, gamma, beta, running_mean, running_var, mean, inv_std, y, N, C, S, is_training,
                                    momentum, eps, Identity<T>{});
}

template <class T>
void batchnorm_backward_cuda(const T* x, const T* gamma, const T* mean, const T* inv_std, const T* grad_y, T* grad_x,
                             T* grad_gamma, T* grad_beta, int64_t N, int64_t C, int64_t S, bool is_training) {
  batchnorm_kernels::launch_backward(x, gamma, mean, inv_std, grad_x, grad_gamma, grad_beta, N, C, S, is_training,
                                     GivenGrad<T>{grad_y});
}

#define FLOWJET_INSTANTIATE_BATCHNORM_CUDA(T)                                                                          \
  template void batchnorm_forward_cuda<T>(const T*, const T*, const T*, T*, T*, T*, T*, T*, int64_t, int64_t, int64_t, \
                                          bool, double, double);                                                       \
  template void batchnorm_backward_cuda<T>(const T*, const T*, const T*, const T*, const T*, T*, T*, T*, int64_t,      \
                                           int64_t, int64_t, bool);
FLOWJET_INSTANTIATE_BATCHNORM_CUDA(float)
FLOWJET_INSTANTIATE_BATCHNORM_CUDA(double)

}  // namespace flowjet
