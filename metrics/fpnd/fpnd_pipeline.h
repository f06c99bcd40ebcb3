// The parts of FPND around the ParticleNet forward pass (metric-definitions.md §9.1): jet selection and
// input scaling before the network, Gaussian fit and Fréchet distance after it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/frechet/frechet.h"
#include "metrics/jets/jet_array.h"

namespace flowjet::metrics {

/// Divisors of JetNet.fpnd_norm (exact float32 values 0x3FCF836F, 0x3F054E3A, 0x3F64BA90).
inline constexpr float kFpndEtaScale = 1.6211985349655151f;
inline constexpr float kFpndPhiScale = 0.520724892616272f;
inline constexpr float kFpndPtScale = 0.8934717178344727f;

/// ParticleNet input for FPND: the first min(jets, max_jets) jets (max_jets <= 0: all of them;
/// current jetnet uses 50,000, jetnet 0.1.1 -- the talk -- all), converted to float32 and scaled
/// per particle: eta / 1.6212, phi / 0.5207, pt / 0.8935 - 0.5 (a padded particle becomes
/// (0, 0, -0.5)). Returns [used_jets, particles, 3]; used_jets is set. Throws ShapeError,
/// NumericError (non-finite input).
std::vector<float> fpnd_network_input(const JetArray& jets, int64_t max_jets, int64_t& used_jets);

/// FPND from the fc1 activations of the generated jets, activations: [jets, dim] float32:
/// mean and unbiased covariance in double, then FrechetDistance(reference, generated) with the
/// real-jet statistics first. Appends jetnet's warning to *warnings (if given) below 50,000 jets.
/// Throws ShapeError (sizes, dim != reference.dim), NumericError.
double fpnd_from_activations(const std::vector<float>& activations, int64_t jets, int64_t dim,
                             const GaussianStats& reference, std::vector<std::string>* warnings = nullptr);

}  // namespace flowjet::metrics
