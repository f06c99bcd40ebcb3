// Gradient clipping and the finite-gradient check the trainer uses to skip bad steps
// (PyTorch torch.nn.utils.clip_grad_norm_ / clip_grad_value_). Parameters without a gradient are ignored.
#pragma once

#include <cstdint>

#include "engine/nn/named_tensor.h"

namespace flowjet {

/// Global L2 norm of all defined gradients (accumulated in double). When it is finite and
/// scale = max_norm / (norm + 1e-6) < 1, every gradient is multiplied by scale (PyTorch formula).
/// A non-finite norm leaves the gradients unchanged. Returns the norm before clipping.
/// Throws ConfigError when max_norm is negative or not finite. CUDA gradients are reduced on the device
/// (one synchronising copy back to the host brings every tensor's sum).
double clip_grad_norm(const NamedTensors& params, double max_norm);

/// Clamps every gradient element to [-clip, clip] (NaN stays NaN). Throws ConfigError when clip
/// is negative or not finite.
void clip_grad_value(const NamedTensors& params, double clip);

/// True when every defined gradient holds only finite values (undefined gradients count as finite).
bool all_grads_finite(const NamedTensors& params);

/// CUDA reduction (clip_cuda.cu): *slot (a device double) = sum of grad^2, or the number of non-finite
/// values when count_nonfinite; the n values of grad are on the device.
template <class T>
void grad_sum_cuda(const T* grad, int64_t n, bool count_nonfinite, double* slot);

}  // namespace flowjet
