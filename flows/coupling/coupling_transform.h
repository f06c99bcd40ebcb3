// The generic coupling layer (flow-model.md §2.2): split the features by a mask, let a ResidualNet read
// the identity part (and the context) and produce the parameters of an element-wise transform of
// the other part, then put the two parts back in their columns.
#pragma once

#include <memory>
#include <vector>

#include "flows/conditioner/residual_net.h"
#include "flows/transform.h"

namespace flowjet::flows {

class CouplingTransform : public Transform {
 public:
  /// `mask` (length D): > 0 transformed, <= 0 identity. The conditioner's in/out sizes are set here
  /// from the mask and `params_per_feature`; the rest of `net` is taken as given.
  CouplingTransform(const std::vector<int>& mask, int64_t params_per_feature, ResidualNetSpec net, Generator& init,
                    Generator& dropout_gen, DType dtype);

  TransformResult forward(const Tensor& x, const Tensor& context) override;
  TransformResult inverse(const Tensor& z, const Tensor& context) override;
  /// Every coupling names its class for summaries ("RqsCoupling").
  std::string type_name() const override = 0;
  int64_t output_features() const override { return features_; }

  /// The mask as stored with the model (a buffer, so checkpoints carry it).
  std::vector<int> mask() const;
  /// Replaces the mask by another with the same number of transformed features (the conditioner's
  /// sizes depend only on that count); throws ShapeError otherwise.
  void set_mask(const std::vector<int>& mask);
  std::vector<int64_t> identity_features() const;
  std::vector<int64_t> transform_features() const;
  int64_t features() const { return features_; }
  ResidualNet& conditioner() { return *conditioner_; }
  /// Conditioner output for the identity part of x: [batch, |T| * params_per_feature].
  Tensor conditioner_params(const Tensor& x, const Tensor& context);

 protected:
  /// The element-wise map of the transformed part: v [batch, |T|], params [batch, |T| * P] ->
  /// outputs [batch, |T|] and the per-sample sum of log-determinants [batch].
  virtual TransformResult transform_part(const Tensor& v, const Tensor& params, bool inverse) = 0;

 private:
  TransformResult apply(const Tensor& x, const Tensor& context, bool inverse);

  int64_t features_;
  Tensor mask_;  // [D] buffer of 0/1
  ResidualNet* conditioner_ = nullptr;
};

}  // namespace flowjet::flows
