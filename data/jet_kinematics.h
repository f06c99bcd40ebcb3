// Jet mass from particle (eta, phi, pt): the training recipe's mass with its ±100 momentum
// clamp (training-recipe.md §2) and the relative mass of the stored particles (jet-samples.md §1.5).
#pragma once

#include <cstdint>
#include <vector>

#include "data/jet_set.h"

namespace flowjet::data {

/// Jet mass of training-recipe.md §2 from `particles` slots laid out [particles, stride] with eta at
/// offset 0, phi at 1, pt at 2: px = pt cos(phi), py = pt sin(phi), pz = pt sinh(eta), each
/// clamped to [-100, 100], E = |p| (massless), m = sqrt(max(0, E² - p²)). Zero slots add nothing.
double jet_mass(const double* features, int64_t particles, int64_t stride = 3);
double jet_mass(const float* features, int64_t particles, int64_t stride = 3);

/// training-recipe.md §2 mass of every jet of a set (all slots, padding contributes zero): [jets].
std::vector<double> jet_masses(const JetSet& jets);

/// Relative jet mass of jet-samples.md §1.5 (no clamp, E = pt cosh(eta)), over the real slots of one
/// jet; 0 for a single particle or an empty jet.
double relative_mass(const JetSet& jets, int64_t jet);

}  // namespace flowjet::data
