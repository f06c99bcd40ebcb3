// Gradient clipping by global norm and by value, and the all-finite check (PyTorch semantics). CPU
// gradients are read in place; CUDA gradients are reduced on the device, one slot per tensor, and the
// slots come back in one copy, so the host adds every tensor's share in parameter order either way.
#include "engine/optim/clip.h"

#include <cmath>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "engine/backend/cuda/dispatch.h"
#include "engine/core/error.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/clamp/clamp.h"
#include "engine/tensor/storage.h"

namespace flowjet {

namespace {

void check_limit(const char* op, const char* key, double value) {
  if (!(value >= 0.0) || !std::isfinite(value))
    throw ConfigError(fmt::format("{}: {} = {} is invalid, expected a finite value >= 0", op, key, value));
}

// The defined gradients of `params`, in order.
std::vector<Tensor> defined_grads(const NamedTensors& params) {
  std::vector<Tensor> out;
  for (const NamedTensor& p : params) {
    if (!p.tensor.defined()) continue;
    Tensor grad = p.tensor.grad();
    if (grad.defined()) out.push_back(grad);
  }
  return out;
}

// Per CUDA gradient (in order), the device sum of its squares or its count of non-finite values.
std::vector<double> cuda_grad_sums(const char* op, const std::vector<Tensor>& grads, bool count_nonfinite) {
  std::vector<const Tensor*> on_device;
  for (const Tensor& g : grads)
    if (g.device() == Device::CUDA) on_device.push_back(&g);
  std::vector<double> sums(on_device.size());
  if (on_device.empty()) return sums;
  Storage slots(sums.size() * sizeof(double), Device::CUDA);
  double* slot = static_cast<double*>(slots.data());
  for (std::size_t k = 0; k < on_device.size(); ++k) {
    const Tensor& g = *on_device[k];
    dispatch_dtype(g.dtype(), [&](auto zero) {
      using T = decltype(zero);
      cuda_branch(op, [&] { grad_sum_cuda<T>(g.data<T>(), g.numel(), count_nonfinite, slot + k); });
    });
  }
  detail::copy_bytes(sums.data(), Device::CPU, slots.data(), Device::CUDA, sums.size() * sizeof(double));
  return sums;
}

// Applies fn(grad) to a CPU gradient's elements in place, or cuda_fn(grad) to a CUDA one.
void for_each_grad(const std::vector<Tensor>& grads, const std::function<void(Tensor&)>& cpu_fn,
                   const std::function<void(Tensor&)>& cuda_fn) {
  for (Tensor grad : grads) (grad.device() == Device::CUDA ? cuda_fn : cpu_fn)(grad);
}

}  // namespace

double clip_grad_norm(const NamedTensors& params, double max_norm) {
  check_limit("clip_grad_norm", "max_norm", max_norm);
  const std::vector<Tensor> grads = defined_grads(params);
  const std::vector<double> device_sums = cuda_grad_sums("clip_grad_norm", grads, false);
  double sum_sq = 0.0;
  std::size_t next_device = 0;
  for (const Tensor& grad : grads) {
    if (grad.device() == Device::CUDA) {
      sum_sq += device_sums[next_device++];
      continue;
    }
    dispatch_dtype(grad.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* g = grad.data<T>();
      for (int64_t i = 0; i < grad.numel(); ++i) sum_sq += static_cast<double>(g[i]) * static_cast<double>(g[i]);
    });
  }
  const double total_norm = std::sqrt(sum_sq);
  const double scale = max_norm / (total_norm + 1e-6);  // PyTorch clip_grad_norm_: clip_coef
  if (!std::isfinite(total_norm) || scale >= 1.0) return total_norm;
  for_each_grad(
      grads,
      [&](Tensor& grad) {
        dispatch_dtype(grad.dtype(), [&](auto zero) {
          using T = decltype(zero);
          T* g = grad.data<T>();
          const T s = static_cast<T>(scale);
          for (int64_t i = 0; i < grad.numel(); ++i) g[i] *= s;
        });
      },
      [&](Tensor& grad) {
        // g = s * g + (-0) in place: exactly g * s, as the CPU loop.
        dispatch_dtype(grad.dtype(), [&](auto zero) {
          using T = decltype(zero);
          cuda_branch("clip_grad_norm", [&] {
            scalar_affine_forward_cuda<T>(grad.data<T>(), grad.data<T>(), grad.numel(), static_cast<T>(scale), T(-0.0));
          });
        });
      });
  return total_norm;
}

void clip_grad_value(const NamedTensors& params, double clip) {
  check_limit("clip_grad_value", "clip", clip);
  for_each_grad(
      defined_grads(params),
      [&](Tensor& grad) {
        dispatch_dtype(grad.dtype(), [&](auto zero) {
          using T = decltype(zero);
          T* g = grad.data<T>();
          const T hi = static_cast<T>(clip);
          for (int64_t i = 0; i < grad.numel(); ++i) {
            if (g[i] > hi) g[i] = hi;
            else if (g[i] < -hi) g[i] = -hi;
          }
        });
      },
      [&](Tensor& grad) {
        // clamp into [-clip, clip] in place: the same comparisons, NaN passes through.
        dispatch_dtype(grad.dtype(), [&](auto zero) {
          using T = decltype(zero);
          cuda_branch("clip_grad_value", [&] {
            clamp_forward_cuda<T>(grad.data<T>(), grad.data<T>(), grad.numel(), static_cast<T>(-clip),
                                  static_cast<T>(clip));
          });
        });
      });
}

bool all_grads_finite(const NamedTensors& params) {
  const std::vector<Tensor> grads = defined_grads(params);
  for (double nonfinite : cuda_grad_sums("all_grads_finite", grads, true))
    if (nonfinite > 0.0) return false;
  bool finite = true;
  for (const Tensor& grad : grads) {
    if (!finite || grad.device() == Device::CUDA) continue;
    dispatch_dtype(grad.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* g = grad.data<T>();
      for (int64_t i = 0; i < grad.numel() && finite; ++i) finite = std::isfinite(g[i]);
    });
  }
  return finite;
}

}  // namespace flowjet
