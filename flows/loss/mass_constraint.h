// The mass-constraint loss of the CCNF models (training-recipe.md §7.2): generate one jet per context row
// through the differentiable inverse pass, undo the feature scaling, and compare the generated
// jet's mass with the mass condition: L_mass = mean((m_gen - m_true)^2).
#pragma once

#include "engine/random/generator.h"
#include "flows/flow.h"

namespace flowjet::flows {

/// The scaling the flow's inputs went through: x_scaled = (x - mean) / (std + 1e-7); undone as
/// x = x_scaled * std + mean (training-recipe.md §4). Tensors [D] of the flow's dtype.
struct FeatureScaling {
  Tensor mean;
  Tensor std;
};

struct MassConstraintResult {
  Tensor loss;           // scalar, recorded
  Tensor generated_mass; // [batch], for logging
};

/// `context` [batch, C] (C >= 1; column 0 is the scaled mass), `true_mass` [batch] in physical (unscaled)
/// units, `z_gen` draws the latent vectors. Gradients flow through the whole inverse pass.
MassConstraintResult mass_constraint_loss(Flow& flow, const Tensor& context, const Tensor& true_mass,
                                          const FeatureScaling& scaling, Generator& z_gen);

}  // namespace flowjet::flows
