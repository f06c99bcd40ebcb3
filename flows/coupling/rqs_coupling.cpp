// Spline coupling: the conditioner output row [|T| * (3K-1)] goes to the fused spline op as is (flow-model.md §2.3).
#include "flows/coupling/rqs_coupling.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::flows {

RqsCoupling::RqsCoupling(const std::vector<int>& mask, int64_t num_bins, double tail_bound, const ResidualNetSpec& net,
                         Generator& init, Generator& dropout_gen, DType dtype)
    : CouplingTransform(mask, parameters_per_feature(num_bins), net, init, dropout_gen, dtype),
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

CouplingInfo rqs_coupling_info() {
  CouplingInfo info;
  info.name = "rqs";
  info.aliases = {"spline"};
  info.parameters_per_feature = [](const FlowSpec& spec) { return RqsCoupling::parameters_per_feature(spec.bins); };
  info.make = [](const CouplingLayerArgs& a) {
    return std::make_unique<RqsCoupling>(a.mask, a.spec.bins, a.spec.tail_bound, a.net, a.init, a.dropout_gen,
                                         a.spec.dtype);
  };
  info.describe = [](const FlowSpec& spec) {
    return fmt::format("{} bins (K), tail bound {} (B), linear tails", spec.bins, spec.tail_bound);
  };
  info.validate = [](const FlowSpec& spec) {
    if (spec.bins < 1) throw ConfigError(fmt::format("bins must be >= 1, got {}", spec.bins));
    // Every bin keeps at least nflows' minimum width 1e-3 of the interval.
    if (static_cast<double>(spec.bins) * 1e-3 > 1.0)
      throw ConfigError(fmt::format("bins * min_bin_width must be <= 1, got {} bins", spec.bins));
    if (!(spec.tail_bound > 0.0)) throw ConfigError(fmt::format("tail_bound must be > 0, got {}", spec.tail_bound));
  };
  return info;
}

}  // namespace flowjet::flows
