// Parameter initialisation from the seeded generator (flow-model.md §3.5).
#include "engine/nn/init.h"

#include <cmath>

#include "engine/autograd/recording.h"

namespace flowjet {

void init_uniform_(Tensor& tensor, double low, double high, Generator& gen) {
  NoGradScope no_grad;
  tensor.copy_(random_uniform(tensor.shape(), gen, tensor.dtype(), tensor.device(), low, high));
}

void init_normal_(Tensor& tensor, double mean, double stddev, Generator& gen) {
  NoGradScope no_grad;
  tensor.copy_(random_normal(tensor.shape(), gen, tensor.dtype(), tensor.device(), mean, stddev));
}

void init_constant_(Tensor& tensor, double value) { tensor.fill_(value); }

double linear_init_bound(int64_t fan_in) { return fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0; }

void init_linear_default_(Tensor& weight, Tensor& bias, Generator& gen) {
  const double bound = linear_init_bound(weight.size(1));
  init_uniform_(weight, -bound, bound, gen);
  if (bias.defined()) init_uniform_(bias, -bound, bound, gen);
}

}  // namespace flowjet
