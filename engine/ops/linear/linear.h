// Affine map and matrix product.
//   linear: y = x W^T + b, x [batch, in], W [out, in], b [out] (optional) -> y [batch, out]
//     dL/dx = dL/dy W,  dL/dW = (dL/dy)^T x,  dL/db = sum over batch of dL/dy
//   matmul: C = A B, A [M, K], B [K, N] -> C [M, N];  dL/dA = dL/dC B^T,  dL/dB = A^T dL/dC
// Throws ShapeError naming both shapes on a mismatch, TypeError on mixed dtypes/devices.
#pragma once

#include "engine/tensor/tensor.h"

namespace flowjet {

/// y = x W^T + b; pass an undefined tensor as `bias` for no bias. `in` may be 0 (y = b).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
/// The argument checks of linear, shared with the fused norm_relu_linear; `op` names the caller in the
/// errors. Throws what linear() documents.
void check_linear_arguments(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias);
/// C = A B for 2-d tensors.
Tensor matmul(const Tensor& a, const Tensor& b);

}  // namespace flowjet
