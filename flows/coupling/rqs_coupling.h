// Rational-quadratic spline coupling with linear tails (nflows'
// PiecewiseRationalQuadraticCouplingTransform, flow-model.md §2.3).
#pragma once

#include "engine/ops/rqs_spline/rqs_spline.h"
#include "flows/coupling/coupling_registry.h"
#include "flows/coupling/coupling_transform.h"

namespace flowjet::flows {

class RqsCoupling : public CouplingTransform {
 public:
  RqsCoupling(const std::vector<int>& mask, int64_t num_bins, double tail_bound, const ResidualNetSpec& net,
              Generator& init, Generator& dropout_gen, DType dtype);
  /// Conditioner outputs per transformed feature: K widths, K heights, K - 1 interior derivatives.
  static int64_t parameters_per_feature(int64_t num_bins) { return 3 * num_bins - 1; }

  std::string type_name() const override { return "RqsCoupling"; }
  int64_t num_bins() const { return num_bins_; }
  double tail_bound() const { return tail_bound_; }

 protected:
  TransformResult transform_part(const Tensor& v, const Tensor& params, bool inverse) override;

 private:
  int64_t num_bins_;
  double tail_bound_;
  int64_t hidden_features_;
};

/// The spline op's options for one coupling layer: nflows' constants, and the width and height logits divided
/// by sqrt(hidden_features) of the conditioner (flow-model.md §2.3). The conditioner output is passed to the op as
/// is: per transformed feature, [K width logits, K height logits, K-1 derivative logits].
RqsSplineOptions coupling_spline_options(int64_t num_bins, double tail_bound, int64_t hidden_features);

/// The registry entry "rqs" (alias "spline"): FlowSpec's bins and tail_bound.
CouplingInfo rqs_coupling_info();

}  // namespace flowjet::flows
