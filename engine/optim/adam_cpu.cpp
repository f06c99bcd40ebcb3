// The fused Adam/AdamW update on the CPU: decay, both moments and the parameter in one pass
// (flows.md §6, PyTorch torch/optim/adam.py single-tensor path). Arithmetic in the parameter's dtype.
#include <cmath>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/optim/adam.h"

namespace flowjet {

template <class T>
void adam_update_cpu(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n, const AdamStepScalars& s) {
  const T beta1 = static_cast<T>(s.beta1);
  const T beta2 = static_cast<T>(s.beta2);
  const T one_minus_beta1 = static_cast<T>(1.0 - s.beta1);
  const T one_minus_beta2 = static_cast<T>(1.0 - s.beta2);
  const T step_size = static_cast<T>(s.step_size);
  const T bias_correction2_sqrt = static_cast<T>(s.bias_correction2_sqrt);
  const T eps = static_cast<T>(s.eps);
  const T l2_weight_decay = static_cast<T>(s.l2_weight_decay);
  const T decay_factor = static_cast<T>(s.decay_factor);
  const bool has_l2 = s.l2_weight_decay != 0.0;
  const bool has_decoupled = s.decay_factor != 1.0;
  parallel_for(n, 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T g = grad[i];
      T p = param[i];
      if (has_l2) g += l2_weight_decay * p;   // Adam: coupled L2, g = g + wd * θ
      if (has_decoupled) p *= decay_factor;   // AdamW: θ = θ (1 - lr wd), before the moment step
      const T m = beta1 * exp_avg[i] + one_minus_beta1 * g;
      const T v = beta2 * exp_avg_sq[i] + one_minus_beta2 * g * g;
      // eps is added after the bias-corrected square root: sqrt(v) / sqrt(1 - β2^t) + eps.
      const T denom = std::sqrt(v) / bias_correction2_sqrt + eps;
      exp_avg[i] = m;
      exp_avg_sq[i] = v;
      param[i] = p - step_size * (m / denom);
    }
  });
}

template void adam_update_cpu<float>(float*, const float*, float*, float*, int64_t, const AdamStepScalars&);
template void adam_update_cpu<double>(double*, const double*, double*, double*, int64_t, const AdamStepScalars&);

}  // namespace flowjet
