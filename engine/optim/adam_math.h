// The per-element Adam/AdamW update (flow-model.md §6, PyTorch torch/optim/adam.py single-tensor path), shared
// by the fused CPU and CUDA kernels: decay, both moments and the parameter in one step, arithmetic in the
// parameter's dtype.
#pragma once

#include <cmath>

#include "engine/core/host_device.h"
#include "engine/optim/adam.h"

namespace flowjet {

/// The step scalars of one parameter converted to its dtype once, on the host.
template <class T>
struct AdamCoefficients {
  T beta1, beta2, one_minus_beta1, one_minus_beta2;
  T step_size, bias_correction2_sqrt, eps;
  T l2_weight_decay, decay_factor;
  bool has_l2, has_decoupled;
};

template <class T>
AdamCoefficients<T> adam_coefficients(const AdamStepScalars& s) {
  return {static_cast<T>(s.beta1),        static_cast<T>(s.beta2),
          static_cast<T>(1.0 - s.beta1),  static_cast<T>(1.0 - s.beta2),
          static_cast<T>(s.step_size),    static_cast<T>(s.bias_correction2_sqrt),
          static_cast<T>(s.eps),          static_cast<T>(s.l2_weight_decay),
          static_cast<T>(s.decay_factor), s.l2_weight_decay != 0.0,
          s.decay_factor != 1.0};
}

/// One element: param, exp_avg and exp_avg_sq updated in place from its gradient.
template <class T>
FLOWJET_HOST_DEVICE inline void adam_update_element(T& param, T grad, T& exp_avg, T& exp_avg_sq,
                                                    const AdamCoefficients<T>& c) {
  T g = grad;
  T p = param;
  if (c.has_l2) g += c.l2_weight_decay * p;  // Adam: coupled L2, g = g + wd * θ
  if (c.has_decoupled) p *= c.decay_factor;  // AdamW: θ = θ (1 - lr wd), before the moment step
  const T m = c.beta1 * exp_avg + c.one_minus_beta1 * g;
  const T v = c.beta2 * exp_avg_sq + c.one_minus_beta2 * g * g;
  // eps is added after the bias-corrected square root: sqrt(v) / sqrt(1 - β2^t) + eps.
  const T denom = std::sqrt(v) / c.bias_correction2_sqrt + c.eps;
  exp_avg = m;
  exp_avg_sq = v;
  param = p - c.step_size * (m / denom);
}

}  // namespace flowjet
