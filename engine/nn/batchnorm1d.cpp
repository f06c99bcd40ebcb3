// Batch-norm layers: parameters and buffers with PyTorch's initial values, forward through batchnorm().
#include "engine/nn/batchnorm1d.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/ops/batchnorm/batchnorm.h"

namespace flowjet {

BatchNorm::BatchNorm(const char* name, int min_rank, int max_rank, int64_t channels, double eps, double momentum,
                     DType dtype)
    : name_(name), min_rank_(min_rank), max_rank_(max_rank), channels_(channels), eps_(eps), momentum_(momentum) {
  if (channels < 1) throw ConfigError(fmt::format("{}: channels must be >= 1, got {}", name, channels));
  if (!(eps > 0.0)) throw ConfigError(fmt::format("{}: eps must be > 0, got {}", name, eps));
  if (!(momentum >= 0.0 && momentum <= 1.0))
    throw ConfigError(fmt::format("{}: momentum must be in [0, 1], got {}", name, momentum));
  // All [channels]; initial values of torch.nn.BatchNorm*.reset_parameters / reset_running_stats.
  gamma_ = Tensor::ones(Shape{channels}, dtype);
  beta_ = Tensor::zeros(Shape{channels}, dtype);
  running_mean_ = Tensor::zeros(Shape{channels}, dtype);
  running_var_ = Tensor::ones(Shape{channels}, dtype);
  register_parameter("weight", gamma_);
  register_parameter("bias", beta_);
  register_buffer("running_mean", running_mean_);
  register_buffer("running_var", running_var_);
}

void BatchNorm::check_rank(const Tensor& x) const {
  if (x.ndim() < min_rank_ || x.ndim() > max_rank_) {
    const std::string expected =
        min_rank_ == max_rank_ ? fmt::format("{}", min_rank_) : fmt::format("{} or {}", min_rank_, max_rank_);
    throw ShapeError(
        fmt::format("{}({}): x must have {} dimensions, got {}", name_, channels_, expected, x.shape().str()));
  }
}

Tensor BatchNorm::forward(const Tensor& x) {
  check_rank(x);
  return batchnorm(x, gamma_, beta_, running_mean_, running_var_, is_training(), momentum_, eps_, reducer_);
}

NormArgs BatchNorm::norm_args() const {
  return NormArgs{gamma_, beta_, running_mean_, running_var_, is_training(), momentum_, eps_, reducer_};
}

int64_t set_batchnorm_stats_reducer(Module& root, BatchStatsReducer* reducer) {
  int64_t count = 0;
  if (auto* bn = dynamic_cast<BatchNorm*>(&root)) {
    bn->set_stats_reducer(reducer);
    ++count;
  }
  for (const auto& child : root.named_children()) count += set_batchnorm_stats_reducer(*child.second, reducer);
  return count;
}

}  // namespace flowjet
