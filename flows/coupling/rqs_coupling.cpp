// Spline coupling: conditioner output row [|T| * (3K-1)] viewed as [|T|, 3K-1] (flows.md §2.3).
#include "flows/coupling/rqs_coupling.h"

#include <cmath>

#include "engine/ops/binary/binary.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/ops/rqs_spline/rqs_spline.h"
#include "engine/ops/shape/shape.h"

namespace flowjet::flows {

RqsCoupling::RqsCoupling(const std::vector<int>& mask, int64_t num_bins, double tail_bound, const ResidualNetSpec& net,
                         Generator& init, Generator& dropout_gen, DType dtype)
    : CouplingTransform(mask, 3 * num_bins - 1, net, init, dropout_gen, dtype),
      num_bins_(num_bins),
      tail_bound_(tail_bound),
      hidden_features_(net.hidden_features) {}

SplineParams split_spline_params(const Tensor& params, int64_t transformed_features, int64_t num_bins,
                                 int64_t hidden_features) {
  const int64_t K = num_bins;
  Tensor p = reshape(params, Shape{params.size(0), transformed_features, 3 * K - 1});
  // nflows scales the width and height logits by 1/sqrt(H) when the conditioner has hidden_features.
  const double scale = 1.0 / std::sqrt(static_cast<double>(hidden_features));
  return {slice(p, 2, 0, K) * scale, slice(p, 2, K, 2 * K) * scale, slice(p, 2, 2 * K, 3 * K - 1)};
}

TransformResult RqsCoupling::transform_part(const Tensor& v, const Tensor& params, bool inverse) {
  SplineParams sp = split_spline_params(params, v.size(1), num_bins_, hidden_features_);
  RqsSplineOptions options;
  options.num_bins = static_cast<int>(num_bins_);
  options.tail_bound = tail_bound_;
  RqsSplineResult r = rqs_spline(v, sp.widths, sp.heights, sp.derivatives, options, inverse);
  return {r.outputs, sum(r.logabsdet, 1)};
}

}  // namespace flowjet::flows
