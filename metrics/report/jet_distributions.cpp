// Particle and jet quantities for the report's histograms (jet_distributions.h).
#include "metrics/report/jet_distributions.h"

namespace flowjet::metrics {

namespace {
bool is_padding(const double* p) { return p[0] == 0.0 && p[1] == 0.0 && p[2] == 0.0; }
}  // namespace

std::vector<double> particle_feature(const JetArray& jets, int feature) {
  std::vector<double> out;
  out.reserve(jets.values.size() / 3);
  for (int64_t j = 0; j < jets.jets; ++j) {
    const double* p = jets.jet(j);
    for (int64_t i = 0; i < jets.particles; ++i, p += 3)
      if (!is_padding(p)) out.push_back(p[feature]);
  }
  return out;
}

std::vector<double> particle_feature_at(const JetArray& jets, int feature, int64_t rank) {
  std::vector<double> out;
  if (rank < 0 || rank >= jets.particles) return out;
  for (int64_t j = 0; j < jets.jets; ++j) {
    const double* p = jets.jet(j) + rank * 3;
    if (!is_padding(p)) out.push_back(p[feature]);
  }
  return out;
}

std::vector<double> multiplicities(const JetArray& jets) {
  std::vector<double> out(static_cast<size_t>(jets.jets), 0.0);
  for (int64_t j = 0; j < jets.jets; ++j) {
    const double* p = jets.jet(j);
    for (int64_t i = 0; i < jets.particles; ++i, p += 3) out[static_cast<size_t>(j)] += is_padding(p) ? 0.0 : 1.0;
  }
  return out;
}

}  // namespace flowjet::metrics
