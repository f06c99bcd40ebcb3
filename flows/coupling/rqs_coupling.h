// Rational-quadratic spline coupling with linear tails (nflows'
// PiecewiseRationalQuadraticCouplingTransform, flows.md §2.3).
#pragma once

#include "flows/coupling/coupling_transform.h"

namespace flowjet::flows {

class RqsCoupling : public CouplingTransform {
 public:
  RqsCoupling(const std::vector<int>& mask, int64_t num_bins, double tail_bound, const ResidualNetSpec& net,
              Generator& init, Generator& dropout_gen, DType dtype);
  int64_t num_bins() const { return num_bins_; }
  double tail_bound() const { return tail_bound_; }

 protected:
  TransformResult transform_part(const Tensor& v, const Tensor& params, bool inverse) override;

 private:
  int64_t num_bins_;
  double tail_bound_;
  int64_t hidden_features_;
};

/// Raw spline parameters of one coupling output, split as the spline op wants them, with the widths and
/// heights already divided by sqrt(hidden_features) (flows.md §2.3).
struct SplineParams {
  Tensor widths;       // [batch, F, K]
  Tensor heights;      // [batch, F, K]
  Tensor derivatives;  // [batch, F, K - 1]
};
SplineParams split_spline_params(const Tensor& params, int64_t transformed_features, int64_t num_bins,
                                 int64_t hidden_features);

}  // namespace flowjet::flows
