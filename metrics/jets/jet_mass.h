// The relative jet masses of a whole JetArray for the metrics (metric-definitions.md §5.1): the
// per-jet formula is data::relative_jet_mass (data/jet_kinematics.h), jetnet's massless
// Lorentz-vector sum without a clamp.
#pragma once

#include <vector>

#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

/// data::relative_jet_mass of every jet ([jets, particles, 3] = eta_rel, phi_rel, pt_rel): [jets].
/// Multi-threaded with parallel_for. Throws ShapeError.
std::vector<double> relative_jet_masses(const JetArray& jets);

}  // namespace flowjet::metrics
