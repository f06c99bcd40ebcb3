// The clamped (training-recipe.md §2) and relative (jet-samples.md §1.5) jet masses; see the header
// for why both exist.
#include "data/jet_kinematics.h"

#include <algorithm>
#include <cmath>

namespace flowjet::data {

namespace {

template <typename T>
double clamped_jet_mass_impl(const T* features, int64_t particles, int64_t stride) {
  double e = 0.0, px = 0.0, py = 0.0, pz = 0.0;
  for (int64_t k = 0; k < particles; ++k) {
    const double eta = features[k * stride + 0];
    const double phi = features[k * stride + 1];
    const double pt = features[k * stride + 2];
    // Reference clamp of each momentum component to [-100, 100] (training-recipe.md §2).
    const double x = std::clamp(pt * std::cos(phi), -100.0, 100.0);
    const double y = std::clamp(pt * std::sin(phi), -100.0, 100.0);
    const double z = std::clamp(pt * std::sinh(eta), -100.0, 100.0);
    e += std::sqrt(x * x + y * y + z * z);
    px += x;
    py += y;
    pz += z;
  }
  const double m2 = e * e - px * px - py * py - pz * pz;
  return std::sqrt(std::max(m2, 0.0));
}

// The four-momentum sum of massless particles behind relative_jet_mass.
struct MasslessSum {
  double e = 0.0, px = 0.0, py = 0.0, pz = 0.0;

  void add(double eta, double phi, double pt) {
    px += pt * std::cos(phi);
    py += pt * std::sin(phi);
    pz += pt * std::sinh(eta);
    e += std::fabs(pt) * std::cosh(eta);  // hypot(pt cosh eta, m = 0)
  }
  // jetnet turns the NaN of sqrt(m² < 0) into 0.
  double mass() const {
    const double m2 = e * e - px * px - py * py - pz * pz;
    return m2 >= 0 ? std::sqrt(m2) : 0.0;
  }
};

}  // namespace

double clamped_jet_mass(const double* features, int64_t particles, int64_t stride) {
  return clamped_jet_mass_impl(features, particles, stride);
}

double clamped_jet_mass(const float* features, int64_t particles, int64_t stride) {
  return clamped_jet_mass_impl(features, particles, stride);
}

std::vector<double> clamped_jet_masses(const JetSet& jets) {
  std::vector<double> masses(static_cast<size_t>(jets.jets));
  for (int64_t i = 0; i < jets.jets; ++i) {
    masses[static_cast<size_t>(i)] =
        clamped_jet_mass(&jets.particle_features[static_cast<size_t>(i * jets.particles * 4)], jets.particles, 4);
  }
  return masses;
}

double relative_jet_mass(const double* features, int64_t particles, int64_t stride) {
  MasslessSum sum;
  for (int64_t k = 0; k < particles; ++k)
    sum.add(features[k * stride + 0], features[k * stride + 1], features[k * stride + 2]);
  return sum.mass();
}

double relative_jet_mass(const JetSet& jets, int64_t jet) {
  MasslessSum sum;
  for (int64_t k = 0; k < jets.particles; ++k) {
    if (jets.particle(jet, k, kMask) != 1.0f) continue;
    sum.add(jets.particle(jet, k, kEtaRel), jets.particle(jet, k, kPhiRel), jets.particle(jet, k, kPtRel));
  }
  return sum.mass();
}

}  // namespace flowjet::data
