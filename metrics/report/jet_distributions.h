// Per-particle and per-jet quantities that the report histograms: particle features (all
// particles or one rank), and multiplicities. Padding (a particle whose three features are all
// exactly 0, metric-definitions.md §2) is never counted, as in W1P.
#pragma once

#include <cstdint>
#include <vector>

#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

/// Feature 0 (eta_rel), 1 (phi_rel) or 2 (pt_rel) of every non-padding particle of every jet.
std::vector<double> particle_feature(const JetArray& jets, int feature);

/// The same for the particle stored at index `rank` (0-based) of each jet that has one there.
std::vector<double> particle_feature_at(const JetArray& jets, int feature, int64_t rank);

/// Non-padding particles per jet: [jets].
std::vector<double> multiplicities(const JetArray& jets);

}  // namespace flowjet::metrics
