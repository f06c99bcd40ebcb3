// Jet mass from relative coordinates, as jetnet's utils.jet_features computes it (coffea's
// massless PtEtaPhiM Lorentz-vector sum): metric-definitions.md §5.1.
#pragma once

#include <cstdint>
#include <vector>

#include "metrics/jet_array.h"

namespace flowjet::metrics {

/// Relative mass of one jet. particles: [count, 3] = (eta_rel, phi_rel, pt_rel).
/// E_i = |p_i| cosh(eta_i), (px, py, pz) = p_i (cos phi_i, sin phi_i, sinh eta_i);
/// m = sqrt(T^2 - X^2 - Y^2 - Z^2), or 0 when that square is negative.
double jet_mass(const double* particles, int64_t count);

/// Relative masses of all jets: [jets]. Multi-threaded with parallel_for. Throws ShapeError.
std::vector<double> jet_masses(const JetArray& jets);

}  // namespace flowjet::metrics
