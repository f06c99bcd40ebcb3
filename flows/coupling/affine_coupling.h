// Affine coupling (nflows' AffineCouplingTransform, flow-model.md §2.4): v' = v * scale + shift with
// scale = sigmoid(raw + 2) + 1e-3; the conditioner row is [shift (|T|), raw_scale (|T|)].
#pragma once

#include "flows/coupling/coupling_registry.h"
#include "flows/coupling/coupling_transform.h"

namespace flowjet::flows {

class AffineCoupling : public CouplingTransform {
 public:
  /// Conditioner outputs per transformed feature: shift and raw scale.
  static constexpr int64_t kParametersPerFeature = 2;

  AffineCoupling(const std::vector<int>& mask, const ResidualNetSpec& net, Generator& init, Generator& dropout_gen,
                 DType dtype);
  std::string type_name() const override { return "AffineCoupling"; }

 protected:
  TransformResult transform_part(const Tensor& v, const Tensor& params, bool inverse) override;
};

/// The registry entry "affine".
CouplingInfo affine_coupling_info();

}  // namespace flowjet::flows
