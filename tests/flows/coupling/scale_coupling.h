// A test-only coupling added by the recipe of docs/architecture.md ("Add a coupling transform"):
// one parameter s per transformed feature, v' = v * exp(tanh(s)), so log|det J| = sum tanh(s) over the
// transformed features (the scale stays in [1/e, e]). It proves that a coupling outside flows/ trains,
// saves, loads and shows in summaries without any other file knowing it.
#pragma once

#include "flows/coupling/coupling_registry.h"
#include "flows/coupling/coupling_transform.h"

namespace flowjet::test {

class ScaleCoupling : public flows::CouplingTransform {
 public:
  static constexpr int64_t kParametersPerFeature = 1;

  ScaleCoupling(const std::vector<int>& mask, const flows::ResidualNetSpec& net, Generator& init,
                Generator& dropout_gen, DType dtype);
  std::string type_name() const override { return "ScaleCoupling"; }

 protected:
  flows::TransformResult transform_part(const Tensor& v, const Tensor& params, bool inverse) override;
};

/// The registry entry "scale".
flows::CouplingInfo scale_coupling_info();

}  // namespace flowjet::test
