// Affine coupling (nflows' AffineCouplingTransform, flow-model.md §2.4): v' = v * scale + shift with
// scale = sigmoid(raw + 2) + 1e-3; the conditioner row is [shift (|T|), raw_scale (|T|)].
#pragma once

#include "flows/coupling/coupling_transform.h"

namespace flowjet::flows {

class AffineCoupling : public CouplingTransform {
 public:
  AffineCoupling(const std::vector<int>& mask, const ResidualNetSpec& net, Generator& init, Generator& dropout_gen,
                 DType dtype);

 protected:
  TransformResult transform_part(const Tensor& v, const Tensor& params, bool inverse) override;
};

}  // namespace flowjet::flows
