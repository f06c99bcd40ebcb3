// Gradient clipping by global norm and by value, and the all-finite check (PyTorch semantics).
#include "engine/optim/clip.h"

#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

namespace {

void check_limit(const char* op, const char* key, double value) {
  if (!(value >= 0.0) || !std::isfinite(value))
    throw ConfigError(fmt::format("{}: {} = {} is invalid, expected a finite value >= 0", op, key, value));
}

// Calls fn(grad) for every defined gradient, after checking it lives on the CPU.
void for_each_grad(const char* op, const NamedTensors& params, const std::function<void(Tensor&)>& fn) {
  for (const NamedTensor& p : params) {
    if (!p.tensor.defined()) continue;
    Tensor grad = p.tensor.grad();
    if (!grad.defined()) continue;
    if (grad.device() == Device::CUDA) throw CudaError(fmt::format("{}: no CUDA kernel in this build", op));
    fn(grad);
  }
}

}  // namespace

double clip_grad_norm(const NamedTensors& params, double max_norm) {
  check_limit("clip_grad_norm", "max_norm", max_norm);
  double sum_sq = 0.0;
  for_each_grad("clip_grad_norm", params, [&](Tensor& grad) {
    dispatch_dtype(grad.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* g = grad.data<T>();
      for (int64_t i = 0; i < grad.numel(); ++i) sum_sq += static_cast<double>(g[i]) * static_cast<double>(g[i]);
    });
  });
  const double total_norm = std::sqrt(sum_sq);
  const double scale = max_norm / (total_norm + 1e-6);  // PyTorch clip_grad_norm_: clip_coef
  if (!std::isfinite(total_norm) || scale >= 1.0) return total_norm;
  for_each_grad("clip_grad_norm", params, [&](Tensor& grad) {
    dispatch_dtype(grad.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* g = grad.data<T>();
      const T s = static_cast<T>(scale);
      for (int64_t i = 0; i < grad.numel(); ++i) g[i] *= s;
    });
  });
  return total_norm;
}

void clip_grad_value(const NamedTensors& params, double clip) {
  check_limit("clip_grad_value", "clip", clip);
  for_each_grad("clip_grad_value", params, [&](Tensor& grad) {
    dispatch_dtype(grad.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* g = grad.data<T>();
      const T hi = static_cast<T>(clip);
      for (int64_t i = 0; i < grad.numel(); ++i) {
        if (g[i] > hi) g[i] = hi;
        else if (g[i] < -hi) g[i] = -hi;
      }
    });
  });
}

bool all_grads_finite(const NamedTensors& params) {
  bool finite = true;
  for_each_grad("all_grads_finite", params, [&](Tensor& grad) {
    if (!finite) return;
    dispatch_dtype(grad.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* g = grad.data<T>();
      for (int64_t i = 0; i < grad.numel() && finite; ++i) finite = std::isfinite(g[i]);
    });
  });
  return finite;
}

}  // namespace flowjet
