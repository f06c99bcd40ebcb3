// The test-only scale coupling of scale_coupling.h.
#include "tests/flows/coupling/scale_coupling.h"

#include "engine/ops/binary/binary.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/ops/unary/unary.h"

namespace flowjet::test {

ScaleCoupling::ScaleCoupling(const std::vector<int>& mask, const flows::ResidualNetSpec& net, Generator& init,
                             Generator& dropout_gen, DType dtype)
    : CouplingTransform(mask, kParametersPerFeature, net, init, dropout_gen, dtype) {}

flows::TransformResult ScaleCoupling::transform_part(const Tensor& v, const Tensor& params, bool inverse) {
  // params [batch, |T|]: log scale = tanh(s) per transformed feature.
  Tensor log_scale = tanh(params);
  Tensor logabsdet = sum(log_scale, 1);
  if (!inverse) return {v * exp(log_scale), logabsdet};
  return {v * exp(-log_scale), -logabsdet};
}

flows::CouplingInfo scale_coupling_info() {
  flows::CouplingInfo info;
  info.name = "scale";
  info.parameters_per_feature = [](const flows::FlowSpec&) { return ScaleCoupling::kParametersPerFeature; };
  info.make = [](const flows::CouplingLayerArgs& a) {
    return std::make_unique<ScaleCoupling>(a.mask, a.net, a.init, a.dropout_gen, a.spec.dtype);
  };
  info.describe = [](const flows::FlowSpec&) { return std::string("v * exp(tanh(s)), test only"); };
  return info;
}

}  // namespace flowjet::test
