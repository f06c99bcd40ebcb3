// Jet mass from relative coordinates (metric-definitions.md §5.1: coffea Lorentz-vector sum with
// massless particles, energy |pt| cosh(eta), NaN from m^2 < 0 turned into 0 as jetnet does).
#include "metrics/jet_mass.h"

#include <cmath>

#include "engine/backend/cpu/thread_pool.h"

namespace flowjet::metrics {

double jet_mass(const double* particles, int64_t count) {
  double x = 0, y = 0, z = 0, t = 0;
  for (int64_t i = 0; i < count; ++i) {
    const double eta = particles[3 * i], phi = particles[3 * i + 1], pt = particles[3 * i + 2];
    x += pt * std::cos(phi);
    y += pt * std::sin(phi);
    z += pt * std::sinh(eta);
    t += std::fabs(pt) * std::cosh(eta);  // hypot(pt cosh eta, m = 0)
  }
  const double mass_squared = t * t - x * x - y * y - z * z;
  return mass_squared >= 0 ? std::sqrt(mass_squared) : 0.0;
}

std::vector<double> jet_masses(const JetArray& jets) {
  check_jet_array_shape(jets, "jet_masses");
  std::vector<double> out(static_cast<size_t>(jets.jets));
  parallel_for(jets.jets, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) out[static_cast<size_t>(j)] = jet_mass(jets.jet(j), jets.particles);
  });
  return out;
}

}  // namespace flowjet::metrics
