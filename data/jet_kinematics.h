// The jet kinematics of flowjet in one place: the two jet masses computed from particle
// (eta, phi, pt). They differ on purpose, so they have different names:
//
// * clamped_jet_mass (training-recipe.md §2): each momentum component clamped to [-100, 100] and
//   E = |p|. It exists because the reference training code computes the conditioning mass this way
//   (and the mass-constraint loss, flows/loss/jet_mass.h, differentiates the same formula): the
//   conditions a model was trained on must be recomputed with it, clamp included.
// * relative_jet_mass (jet-samples.md §1.5, metric-definitions.md §5.1): no clamp, E = |pt| cosh(eta),
//   the massless Lorentz-vector sum of jetnet/coffea. It exists because JetNet's stored mass and the
//   W1^M metric use it: generated jets' mass feature and the metrics must match jetnet.
#pragma once

#include <cstdint>
#include <vector>

#include "data/jet_set.h"

namespace flowjet::data {

/// Clamped jet mass from `particles` slots laid out [particles, stride] with eta at offset 0, phi at
/// 1, pt at 2: px = pt cos(phi), py = pt sin(phi), pz = pt sinh(eta), each clamped to [-100, 100],
/// E = |p| (massless), m = sqrt(max(0, E² - p²)). Zero slots add nothing.
double clamped_jet_mass(const double* features, int64_t particles, int64_t stride = 3);
double clamped_jet_mass(const float* features, int64_t particles, int64_t stride = 3);

/// Clamped mass of every jet of a set (all slots, padding contributes zero): [jets].
std::vector<double> clamped_jet_masses(const JetSet& jets);

/// Relative (unclamped) jet mass over `particles` slots laid out [particles, stride] (eta, phi, pt
/// at offsets 0, 1, 2): E_i = |pt_i| cosh(eta_i), (px, py, pz) = pt_i (cos phi_i, sin phi_i,
/// sinh eta_i), m = sqrt(E² - p²), or 0 when that square is negative (or NaN) as in jetnet.
/// Zero slots add nothing.
double relative_jet_mass(const double* features, int64_t particles, int64_t stride = 3);

/// Relative jet mass of jet `jet` of a set over its real slots (mask 1) only; 0 for a single
/// particle or an empty jet.
double relative_jet_mass(const JetSet& jets, int64_t jet);

}  // namespace flowjet::data
