// Differentiable jet mass from relative particle coordinates (training-recipe.md §2): per particle
// px = pt cos(phi), py = pt sin(phi), pz = pt sinh(eta), each clamped to [-100, 100],
// E = |p| (massless); m = sqrt(max((sum E)^2 - |sum p|^2, 0)). The tensor form of
// data::clamped_jet_mass (data/jet_kinematics.h, which says why the clamped mass exists).
#pragma once

#include "engine/tensor/tensor.h"

namespace flowjet::flows {

/// x [batch, 3 * particles] laid out (eta, phi, pt) per particle -> m [batch]. Recorded when grad mode
/// is on. Where a square root's argument is <= 0 (a particle with zero momentum, or m^2 <= 0) the
/// gradient is taken as zero instead of PyTorch's infinity (training-recipe.md §2, a documented deviation).
Tensor clamped_jet_mass(const Tensor& x);

}  // namespace flowjet::flows
