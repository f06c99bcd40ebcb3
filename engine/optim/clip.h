// Gradient clipping and the finite-gradient check the trainer uses to skip bad steps
// (PyTorch torch.nn.utils.clip_grad_norm_ / clip_grad_value_). Parameters without a gradient are ignored.
#pragma once

#include "engine/nn/named_tensor.h"

namespace flowjet {

/// Global L2 norm of all defined gradients (accumulated in double). When it is finite and
/// scale = max_norm / (norm + 1e-6) < 1, every gradient is multiplied by scale (PyTorch formula).
/// A non-finite norm leaves the gradients unchanged. Returns the norm before clipping.
/// Throws ConfigError when max_norm is negative or not finite, CudaError for a CUDA gradient.
double clip_grad_norm(const NamedTensors& params, double max_norm);

/// Clamps every gradient element to [-clip, clip] (NaN stays NaN). Throws ConfigError when clip
/// is negative or not finite, CudaError for a CUDA gradient.
void clip_grad_value(const NamedTensors& params, double clip);

/// True when every defined gradient holds only finite values (undefined gradients count as finite).
bool all_grads_finite(const NamedTensors& params);

}  // namespace flowjet
