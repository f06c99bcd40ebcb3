// Batch-norm layers with PyTorch's semantics and names (flow-model.md §3.3): BatchNorm1d for [batch, channels]
// and [batch, channels, length], BatchNorm2d for [batch, channels, height, width] (ParticleNet).
#pragma once

#include <cstdint>

#include "engine/nn/module.h"
#include "engine/ops/fused/norm_relu_linear.h"

namespace flowjet {

/// Shared by BatchNorm1d and BatchNorm2d. Parameters "weight" (gamma, starts at 1) and "bias" (beta,
/// starts at 0); buffers "running_mean" (starts at 0) and "running_var" (starts at 1); all [channels].
/// Training mode normalises with batch statistics and updates the buffers; eval mode uses the buffers.
class BatchNorm : public Module {
 public:
  /// x of an accepted rank -> same shape; throws ShapeError for another rank, wrong channels, or a
  /// training batch with a single value per channel (see batchnorm()).
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  /// The layer as the batch norm in front of a fused norm_relu_linear (Linear::forward_after_norm_relu):
  /// its parameters, buffers, mode, momentum and eps. Same values, buffer updates and (for finite dL/dy)
  /// gradients as forward() followed by relu.
  NormArgs norm_args() const;

  std::string type_name() const override { return name_; }
  int64_t output_features() const override { return channels_; }
  /// Synchronised batch norm (stats_reducer.h): training-mode statistics over every rank's batch,
  /// through `reducer` (kept, not owned; null: this layer's own batch, the default).
  void set_stats_reducer(BatchStatsReducer* reducer) { reducer_ = reducer; }
  BatchStatsReducer* stats_reducer() const { return reducer_; }

  int64_t channels() const { return channels_; }
  double eps() const { return eps_; }
  double momentum() const { return momentum_; }
  Tensor& gamma() { return gamma_; }
  Tensor& beta() { return beta_; }
  Tensor& running_mean() { return running_mean_; }
  Tensor& running_var() { return running_var_; }

 protected:
  /// `name` labels errors; x must have min_rank..max_rank dimensions. Throws ConfigError for
  /// channels < 1, eps <= 0 or momentum outside [0, 1].
  BatchNorm(const char* name, int min_rank, int max_rank, int64_t channels, double eps, double momentum, DType dtype);

 private:
  // Throws ShapeError naming the layer unless x has min_rank..max_rank dimensions.
  void check_rank(const Tensor& x) const;

  const char* name_;
  int min_rank_;
  int max_rank_;
  int64_t channels_;
  double eps_;
  double momentum_;
  Tensor gamma_;
  Tensor beta_;
  Tensor running_mean_;
  Tensor running_var_;
  BatchStatsReducer* reducer_ = nullptr;
};

/// Sets `reducer` on every BatchNorm in `root` and its descendants; returns how many there are.
int64_t set_batchnorm_stats_reducer(Module& root, BatchStatsReducer* reducer);

/// torch.nn.BatchNorm1d: x [batch, channels] or [batch, channels, length]. nflows uses eps = 1e-3.
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t channels, double eps = 1e-5, double momentum = 0.1, DType dtype = DType::F32)
      : BatchNorm("BatchNorm1d", 2, 3, channels, eps, momentum, dtype) {}
};

/// torch.nn.BatchNorm2d: x [batch, channels, height, width], statistics over batch, height and width.
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t channels, double eps = 1e-5, double momentum = 0.1, DType dtype = DType::F32)
      : BatchNorm("BatchNorm2d", 4, 4, channels, eps, momentum, dtype) {}
};

}  // namespace flowjet
