// The two halves of a pre-activation residual block (flows/conditioner/residual_net.cpp) as one op each:
//   t = dropout(relu(batchnorm(x)))      batch norm and dropout both optional
//   y = t W^T + b                        W [out, in], b [out] (optional)
// The forward computes t into a temporary and frees it after the product; the backward draws it again
// from x. So the op keeps only x (the block holds it anyway), the batch-norm statistics, W and the
// dropout stream's position (seed, offset): no [batch, in] intermediate, no stored keep-mask. With
// dy = dL/dy and t recomputed:
//   dL/dW = dy^T t,  dL/db = sum over the batch of dy,  dL/dt = dy W
//   then relu * keep and batch norm backward as batchnorm_relu_dropout (or relu * keep alone).
// Each step runs the kernels of the unfused ops (batchnorm_relu_dropout, linear), so the values, the
// running statistics and (for finite dL/dy) every gradient are those of the unfused composition, bit
// for bit (dL/dt, written by its own product instead of added to zeros, may differ in the sign of a zero).
#pragma once

#include <cstdint>
#include <optional>

#include "engine/ops/batchnorm/stats_reducer.h"
#include "engine/random/generator.h"
#include "engine/tensor/tensor.h"

namespace flowjet {

/// The batch norm in front of the ReLU, with batchnorm()'s arguments. gamma and beta may require
/// gradients; the running statistics are buffers, updated in place in training mode. reducer:
/// synchronised batch norm, as batchnorm()'s (null: none).
struct NormArgs {
  Tensor gamma, beta, running_mean, running_var;
  bool is_training = false;
  double momentum = 0.1;
  double eps = 1e-5;
  BatchStatsReducer* reducer = nullptr;
};

/// The dropout after the ReLU: a keep-mask of rate p drawn from *gen exactly as random_keep_mask
/// (advancing it as that does). gen null or p = 0: no dropout.
struct DropoutArgs {
  Generator* gen = nullptr;
  double p = 0.0;
  bool active() const { return gen != nullptr && p > 0.0; }
};

/// linear(dropout(relu(norm(x))), weight, bias) for x [batch, in] -> [batch, out]; norm absent: no
/// batch norm. Gradients flow to x, gamma, beta, weight and bias. Throws ShapeError for x that is
/// not 2-d and the errors of batchnorm() and linear(); TypeError for mixed dtypes/devices.
Tensor norm_relu_linear(const Tensor& x, const std::optional<NormArgs>& norm, const DropoutArgs& dropout,
                        const Tensor& weight, const Tensor& bias = Tensor());

/// Element-wise kernels of the case without batch norm (norm_relu_linear_cpu.cpp): t = relu(x) * keep
/// (keep_mask null: keep = 1), and the backward ADDS dL/dx = dL/dt * keep where x > 0 into grad_x.
template <class T>
void relu_dropout_forward_cpu(const T* x, const T* keep_mask, T* t, int64_t n);
template <class T>
void relu_dropout_backward_cpu(const T* x, const T* keep_mask, const T* grad_t, T* grad_x, int64_t n);

/// CUDA launchers (norm_relu_linear_cuda.cu), same contract on device pointers.
template <class T>
void relu_dropout_forward_cuda(const T* x, const T* keep_mask, T* t, int64_t n);
template <class T>
void relu_dropout_backward_cuda(const T* x, const T* keep_mask, const T* grad_t, T* grad_x, int64_t n);

}  // namespace flowjet
