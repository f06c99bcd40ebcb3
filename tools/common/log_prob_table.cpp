// Batched log-likelihoods and their CSV.
#include "tools/common/log_prob_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/ops/shape/shape.h"

namespace flowjet::tools {

std::vector<double> batched_log_prob(flows::Flow& flow, const flows::FlowInputs& inputs, int64_t batch) {
  if (batch < 1) throw ConfigError(fmt::format("log-probabilities: the batch size must be >= 1, got {}", batch));
  NoGradScope no_grad;
  std::vector<double> out;
  for (int64_t begin = 0; begin < inputs.rows(); begin += batch) {
    const int64_t end = std::min(inputs.rows(), begin + batch);
    const Tensor c = inputs.context.defined() ? slice(inputs.context, 0, begin, end) : Tensor();
    const std::vector<double> part = flow.log_prob(slice(inputs.x, 0, begin, end), c).to_vector();
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::string log_prob_csv(const std::vector<double>& log_prob, int64_t first_jet, int64_t features) {
  std::string out = "jet,log_prob,log_prob_per_dim\n";
  for (std::size_t i = 0; i < log_prob.size(); ++i)
    out += fmt::format("{},{:.17g},{:.17g}\n", first_jet + static_cast<int64_t>(i), log_prob[i],
                       log_prob[i] / static_cast<double>(features));
  return out;
}

}  // namespace flowjet::tools
