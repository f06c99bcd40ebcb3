// Affine coupling, flow-model.md §2.4.
#include "flows/coupling/affine_coupling.h"

#include "engine/ops/binary/binary.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/ops/shape/shape.h"
#include "engine/ops/unary/unary.h"

namespace flowjet::flows {

AffineCoupling::AffineCoupling(const std::vector<int>& mask, const ResidualNetSpec& net, Generator& init,
                               Generator& dropout_gen, DType dtype)
    : CouplingTransform(mask, kParametersPerFeature, net, init, dropout_gen, dtype) {}

TransformResult AffineCoupling::transform_part(const Tensor& v, const Tensor& params, bool inverse) {
  const int64_t F = v.size(1);
  Tensor shift = slice(params, 1, 0, F);
  // nflows' default scale activation: sigmoid(t + 2) + 1e-3, in (0.001, 1.001).
  Tensor scale = sigmoid(slice(params, 1, F, 2 * F) + 2.0) + 1e-3;
  Tensor log_scale = sum(log(scale), 1);
  if (!inverse) return {v * scale + shift, log_scale};
  return {(v - shift) / scale, -log_scale};
}

CouplingInfo affine_coupling_info() {
  CouplingInfo info;
  info.name = "affine";
  info.parameters_per_feature = [](const FlowSpec&) { return AffineCoupling::kParametersPerFeature; };
  info.make = [](const CouplingLayerArgs& a) {
    return std::make_unique<AffineCoupling>(a.mask, a.net, a.init, a.dropout_gen, a.spec.dtype);
  };
  info.describe = [](const FlowSpec&) { return std::string("scale sigmoid(s + 2) + 1e-3"); };
  return info;
}

}  // namespace flowjet::flows
