// Device fill of a tensor's buffer, installed as engine/tensor's CUDA fill hook by runtime.cu, so that
// Tensor::zeros/ones/full and fill_ on the GPU never build the values on the host.
#pragma once

#include <cstdint>

#include "engine/core/dtype.h"

namespace flowjet::cuda {

/// Sets `count` elements of `dtype` at device address `dst` to `value`, queued on flowjet's stream
/// (a memset for +0, a kernel otherwise).
void fill_cuda(void* dst, DType dtype, int64_t count, double value);

}  // namespace flowjet::cuda
