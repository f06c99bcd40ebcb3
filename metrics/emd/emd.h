// Exact energy mover's distance between two jets as energyflow's emds computes it with
// R = 1, beta = 1, norm = False (metric-definitions.md §8.1): unbalanced optimal transport in the
// (eta, phi) plane without phi wrapping, plus |sum E - sum E'|.
#pragma once

#include <cstdint>

namespace flowjet::metrics {

/// EMD between jet 1 (count1 particles) and jet 2 (count2 particles), each [count, 3] =
/// (eta_rel, phi_rel, pt_rel) with pt_rel the weight. Zero-weight particles are skipped.
/// Two jets of total weight 0 give 0 and set *both_empty (if given) to true.
/// Solved exactly by a network simplex (transport_simplex.h) on integer weights (round(w / S * 2^52),
/// S = the larger total) with double costs. Throws DataError for a negative pt_rel.
double emd(const double* jet1, int64_t count1, const double* jet2, int64_t count2,
           bool* both_empty = nullptr);

}  // namespace flowjet::metrics
