// FPND input scaling and the final Fréchet step (metric-definitions.md §9.1 steps 2-4 and 6-8).
#include "metrics/fpnd/fpnd_pipeline.h"

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

std::vector<float> fpnd_network_input(const JetArray& jets, int64_t max_jets, int64_t& used_jets) {
  check_jet_array_shape(jets, "fpnd input");
  check_jet_array_finite(jets, "fpnd input");
  used_jets = max_jets > 0 ? std::min(jets.jets, max_jets) : jets.jets;
  const auto count = static_cast<size_t>(used_jets * jets.particles);
  std::vector<float> out(count * 3);
  for (size_t p = 0; p < count; ++p) {
    // Round to float32 first (jetnet converts the array), then scale in float32.
    const auto eta = static_cast<float>(jets.values[3 * p]);
    const auto phi = static_cast<float>(jets.values[3 * p + 1]);
    const auto pt = static_cast<float>(jets.values[3 * p + 2]);
    out[3 * p] = eta / kFpndEtaScale;
    out[3 * p + 1] = phi / kFpndPhiScale;
    out[3 * p + 2] = pt / kFpndPtScale - 0.5f;
  }
  return out;
}

double fpnd_from_activations(const std::vector<float>& activations, int64_t jets, int64_t dim,
                             const GaussianStats& reference, std::vector<std::string>* warnings) {
  if (dim != reference.dim)
    throw ShapeError(fmt::format("fpnd: activations have {} features, the reference statistics {}", dim,
                                 reference.dim));
  if (jets < 50000 && warnings != nullptr)
    warnings->push_back(fmt::format("fpnd: {} jets; jetnet recommends 50,000 (FPND is biased upward for small samples)",
                                    jets));
  return frechet_distance(reference, gaussian_fit(activations, jets, dim));
}

}  // namespace flowjet::metrics
