// Spline coupling: the conditioner output row [|T| * (3K-1)] goes to the fused spline op as is (flow-model.md §2.3).
#include "flows/coupling/rqs_coupling.h"

#include <cmath>

namespace flowjet::flows {

RqsCoupling::RqsCoupling(const std::vector<int>& mask, int64_t num_bins, double tail_bound, const ResidualNetSpec& net,
                         Generator& init, Generator& dropout_gen, DType dtype)
    : CouplingTransform(mask, 3 * num_bins - 1, net, init, dropout_gen, dtype),
      num_bins_(num_bins),
      tail_bound_(tail_bound),
      hidden_features_(net.hidden_features) {}

RqsSplineOptions coupling_spline_options(int64_t num_bins, double tail_bound, int64_t hidden_features) {
  RqsSplineOptions options;
  options.num_bins = static_cast<int>(num_bins);
  options.tail_bound = tail_bound;
  // nflows scales the width and height logits by 1/sqrt(H) when the conditioner has hidden_features.
  options.width_height_scale = 1.0 / std::sqrt(static_cast<double>(hidden_features));
  return options;
}

TransformResult RqsCoupling::transform_part(const Tensor& v, const Tensor& params, bool inverse) {
  RqsSplineResult r = rqs_spline(v, params, coupling_spline_options(num_bins_, tail_bound_, hidden_features_), inverse);
  return {r.outputs, r.logabsdet};
}

}  // namespace flowjet::flows
