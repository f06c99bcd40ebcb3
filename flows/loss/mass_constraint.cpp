// training-recipe.md §7.2 steps 1-5.
#include "flows/loss/mass_constraint.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/ops/unary/unary.h"
#include "flows/loss/jet_mass.h"

namespace flowjet::flows {

MassConstraintResult mass_constraint_loss(Flow& flow, const Tensor& context, const Tensor& true_mass,
                                          const FeatureScaling& scaling, Generator& z_gen) {
  const int64_t batch = context.size(0), D = flow.spec().features;
  if (true_mass.ndim() != 1 || true_mass.size(0) != batch)
    throw ShapeError(fmt::format("mass_constraint_loss: true_mass {} does not match context {}",
                                 true_mass.shape().str(), context.shape().str()));
  if (scaling.mean.numel() != D || scaling.std.numel() != D)
    throw ShapeError(fmt::format("mass_constraint_loss: scaling statistics {} / {} do not match {} features",
                                 scaling.mean.shape().str(), scaling.std.shape().str(), D));
  Tensor z = random_normal(Shape{batch, D}, z_gen, flow.spec().dtype, context.device());
  Tensor x_scaled = flow.to_data(z, context).outputs;
  Tensor x = x_scaled * scaling.std + scaling.mean;  // inverse scaling, row-broadcast
  Tensor m_gen = clamped_jet_mass(x);
  return {mean(square(m_gen - true_mass)), m_gen.detach()};
}

}  // namespace flowjet::flows
