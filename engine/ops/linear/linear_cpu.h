// CPU kernels and CUDA launchers of linear and matmul. Backward kernels ADD into the gradient buffers; a null
// gradient pointer means that input needs no gradient.
#pragma once

#include <cstdint>

namespace flowjet {

template <class T>
void linear_forward_cpu(const T* x, const T* weight, const T* bias, T* y, int64_t batch, int64_t in, int64_t out);
template <class T>
void linear_backward_cpu(const T* x, const T* weight, const T* grad_y, T* grad_x, T* grad_weight, T* grad_bias,
                         int64_t batch, int64_t in, int64_t out);
template <class T>
void matmul_forward_cpu(const T* a, const T* b, T* c, int64_t M, int64_t K, int64_t N);
template <class T>
void matmul_backward_cpu(const T* a, const T* b, const T* grad_c, T* grad_a, T* grad_b, int64_t M, int64_t K,
                         int64_t N);

/// CUDA launchers (linear_cuda.cu, through cuBLAS), same contract on device pointers.
template <class T>
void linear_forward_cuda(const T* x, const T* weight, const T* bias, T* y, int64_t batch, int64_t in, int64_t out);
template <class T>
void linear_backward_cuda(const T* x, const T* weight, const T* grad_y, T* grad_x, T* grad_weight, T* grad_bias,
                          int64_t batch, int64_t in, int64_t out);
template <class T>
void matmul_forward_cuda(const T* a, const T* b, T* c, int64_t M, int64_t K, int64_t N);
template <class T>
void matmul_backward_cuda(const T* a, const T* b, const T* grad_c, T* grad_a, T* grad_b, int64_t M, int64_t K,
                          int64_t N);

}  // namespace flowjet
