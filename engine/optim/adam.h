// Adam and AdamW with PyTorch semantics (flow-model.md §6): per-parameter moments and step counts,
// bias correction, eps added after the bias-corrected square root, coupled L2 decay (Adam) or
// decoupled decay applied first (AdamW). One fused update kernel per backend (adam_cpu.cpp, adam_cuda.cu).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/nn/named_tensor.h"

namespace flowjet {

/// Hyper-parameters. Defaults are PyTorch's Adam; AdamOptions::adamw() gives PyTorch's AdamW.
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  /// false: Adam, decay added to the gradient (L2); true: AdamW, θ *= 1 - lr * weight_decay first.
  bool decoupled = false;

  /// PyTorch's AdamW defaults: weight_decay 0.01, decoupled.
  static AdamOptions adamw(double lr = 1e-3, double weight_decay = 1e-2);
};

/// Per-step scalars shared by every element of one parameter (computed in double on the host).
struct AdamStepScalars {
  double beta1;
  double beta2;
  double step_size;               // lr / (1 - beta1^t)
  double bias_correction2_sqrt;   // sqrt(1 - beta2^t)
  double eps;
  double l2_weight_decay;         // Adam: g += l2_weight_decay * θ (0 for AdamW)
  double decay_factor;            // AdamW: θ *= decay_factor = 1 - lr * weight_decay (1 for Adam)
};

/// The fused CPU update of n elements, in place on param, exp_avg and exp_avg_sq.
template <class T>
void adam_update_cpu(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n, const AdamStepScalars& s);

/// One parameter's device buffers and step scalars for the CUDA update.
template <class T>
struct AdamTensorUpdate {
  T* param;
  const T* grad;
  T* exp_avg;
  T* exp_avg_sq;
  int64_t n;
  AdamStepScalars scalars;
};

/// The fused CUDA update (adam_cuda.cu) of every listed parameter, a few dozen parameters per kernel launch.
template <class T>
void adam_update_cuda(const std::vector<AdamTensorUpdate<T>>& updates);

class Adam {
 public:
  /// Takes the parameters to update (their tensors are shared, not copied). Throws ConfigError for
  /// an invalid hyper-parameter (lr < 0, beta outside [0, 1), eps < 0, weight_decay < 0) or a
  /// repeated name, TypeError for an undefined tensor.
  Adam(NamedTensors params, AdamOptions options = {});

  /// One update of every parameter whose grad() is defined; parameters without a gradient are
  /// skipped entirely (no decay, no moments, no step count), an all-zero gradient is not.
  /// Runs under NoGradScope. CUDA parameters are updated together by the fused multi-tensor kernel.
  void step();
  /// Drops every parameter's gradient (PyTorch's set_to_none), so an unused one is skipped next step.
  void zero_grad();

  void set_lr(double lr);
  double lr() const { return options_.lr; }
  const AdamOptions& options() const { return options_; }
  const NamedTensors& params() const { return params_; }
  /// Number of updates applied to the parameter `name`; throws ConfigError for an unknown name.
  int64_t step_count(const std::string& name) const;

  /// Snapshot (copies) of the state, per parameter p: "p.exp_avg", "p.exp_avg_sq" (dtype and shape
  /// of p) and "p.step" (f64 scalar holding the integer step count).
  NamedTensors state() const;
  /// Restores a state() snapshot. Every expected name must be present with its shape and dtype,
  /// no unknown name may appear and each step must be a non-negative integer; all checks happen
  /// before anything is copied. Throws CheckpointError listing every problem.
  void load_state(const NamedTensors& state);

 private:
  struct Slot {
    Tensor exp_avg;
    Tensor exp_avg_sq;
    int64_t step = 0;
  };
  NamedTensors params_;
  std::vector<Slot> slots_;
  AdamOptions options_;
};

}  // namespace flowjet
