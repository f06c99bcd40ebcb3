// Energy flow polynomials of a jet by closed forms: the 36 EFPs of degree d <= 4 (FPD/KPD,
// metric-definitions.md §13.2.1) and the five n = 4, d = 4 EFPs of W1^EFP (metric-definitions.md §7.2, 7.3).
// Measure "hadr", beta = 1, kappa = 1, not normalised: z_i = pt_rel, theta with periodic dphi.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

inline constexpr int kNumEfpD4 = 36;   ///< EFPs with d <= 4 (energyflow order)
inline constexpr int kNumEfpN4D4 = 5;  ///< EFPs with n = 4 and d = 4 (energyflow order)
/// Positions of the five n = 4, d = 4 EFPs in the d <= 4 list.
inline constexpr std::array<int, kNumEfpN4D4> kEfpN4D4InD4 = {12, 14, 15, 16, 17};

/// Angular distance of the "hadr" measure with beta = 1: sqrt(deta^2 + dphi~^2) with the
/// periodic dphi~ = pi - ||phi_i - phi_j| - pi| (metric-definitions.md §7.1).
double efp_theta(double eta_i, double phi_i, double eta_j, double phi_j);

/// All 36 EFPs with d <= 4 of one jet, in energyflow's order (metric-definitions.md §13.2.1).
/// particles: [count, 3] = (eta_rel, phi_rel, pt_rel); zero-pt particles drop out.
std::array<double, kNumEfpD4> efp_d4(const double* particles, int64_t count);

/// The five EFPs with n = 4, d = 4 of one jet (metric-definitions.md §7.2 order, k = 0..4).
std::array<double, kNumEfpN4D4> efp_n4d4(const double* particles, int64_t count);

/// EFPs n = 4, d = 4 of every jet: [jets, 5] row-major. Multi-threaded. Throws ShapeError.
std::vector<double> efps_n4d4(const JetArray& jets);

/// EFPs d <= 4 of every jet: [jets, 36] row-major (jetnet's get_fpd_kpd_jet_features).
/// Multi-threaded. Throws ShapeError.
std::vector<double> efps_d4(const JetArray& jets);

}  // namespace flowjet::metrics
