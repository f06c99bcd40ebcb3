// Input checks for JetArray (metric-definitions.md §2).
#include "metrics/jets/jet_array.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

namespace {
const char* feature_name(int64_t f) {
  static const char* names[3] = {"eta_rel", "phi_rel", "pt_rel"};
  return names[f];
}
}  // namespace

JetArray make_jet_array(const std::vector<std::vector<std::vector<double>>>& jets,
                        int64_t particles) {
  int64_t longest = 0;
  for (const auto& jet : jets) longest = std::max<int64_t>(longest, static_cast<int64_t>(jet.size()));
  if (particles == 0) particles = longest;
  if (longest > particles)
    throw ShapeError(fmt::format("make_jet_array: a jet has {} particles, more than the {} requested",
                                 longest, particles));
  JetArray out(static_cast<int64_t>(jets.size()), particles);
  for (size_t j = 0; j < jets.size(); ++j) {
    for (size_t i = 0; i < jets[j].size(); ++i) {
      if (jets[j][i].size() != 3)
        throw ShapeError(fmt::format("make_jet_array: jet {} particle {} has {} features, expected 3",
                                     j, i, jets[j][i].size()));
      for (int f = 0; f < 3; ++f)
        out.values[(j * particles + i) * 3 + f] = jets[j][i][f];
    }
  }
  return out;
}

void check_jet_array_shape(const JetArray& jets, const std::string& what) {
  if (jets.jets < 1 || jets.particles < 1)
    throw ShapeError(fmt::format("{}: shape [{}, {}, 3] is empty, expected at least one jet and one particle",
                                 what, jets.jets, jets.particles));
  const auto expected = static_cast<size_t>(jets.jets * jets.particles * 3);
  if (jets.values.size() != expected)
    throw ShapeError(fmt::format("{}: {} values for shape [{}, {}, 3], expected {}", what,
                                 jets.values.size(), jets.jets, jets.particles, expected));
}

void check_jet_array_finite(const JetArray& jets, const std::string& what) {
  for (size_t k = 0; k < jets.values.size(); ++k) {
    if (!std::isfinite(jets.values[k])) {
      const auto index = static_cast<int64_t>(k);
      const int64_t jet = index / (jets.particles * 3);
      const int64_t particle = (index / 3) % jets.particles;
      throw NumericError(fmt::format("{}: non-finite {} = {} in jet {} (particle {})", what,
                                     feature_name(index % 3), jets.values[k], jet, particle));
    }
  }
}

void check_jet_array_range(const JetArray& jets, const std::string& what) {
  for (size_t k = 0; k < jets.values.size(); ++k) {
    if (std::abs(jets.values[k]) > kMaxJetArrayValue) {
      const auto index = static_cast<int64_t>(k);
      throw DataError(fmt::format("{}: {} = {} in jet {} (particle {}) is out of range (|value| <= {}): the features "
                                  "must be JetNet's relative coordinates",
                                  what, feature_name(index % 3), jets.values[k], index / (jets.particles * 3),
                                  (index / 3) % jets.particles, kMaxJetArrayValue));
    }
  }
}

void check_jet_array_has_particles(const JetArray& jets, const std::string& what) {
  for (double value : jets.values)
    if (value != 0.0) return;
  throw DataError(fmt::format("{}: every particle of the {} jets is zero (all padding), so there are no particles "
                              "to compare",
                              what, jets.jets));
}

void check_jet_array_nonnegative_pt(const JetArray& jets, const std::string& what) {
  for (int64_t j = 0; j < jets.jets; ++j)
    for (int64_t i = 0; i < jets.particles; ++i)
      if (jets.pt_rel(j, i) < 0)
        throw DataError(fmt::format("{}: negative pt_rel = {} in jet {} (particle {}); the EMD needs "
                                    "pt_rel >= 0 (clip negative pt first)",
                                    what, jets.pt_rel(j, i), j, i));
}

int64_t clip_negative_pt(JetArray& jets) {
  int64_t changed = 0;
  for (size_t k = 2; k < jets.values.size(); k += 3) {
    if (jets.values[k] < 0) {
      jets.values[k] = 0.0;
      ++changed;
    }
  }
  return changed;
}

}  // namespace flowjet::metrics
