// Relative jet masses of a JetArray, one jet per parallel_for item.
#include "metrics/jets/jet_mass.h"

#include "data/jet_kinematics.h"
#include "engine/backend/cpu/thread_pool.h"

namespace flowjet::metrics {

std::vector<double> relative_jet_masses(const JetArray& jets) {
  check_jet_array_shape(jets, "relative_jet_masses");
  std::vector<double> out(static_cast<size_t>(jets.jets));
  parallel_for(jets.jets, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j)
      out[static_cast<size_t>(j)] = data::relative_jet_mass(jets.jet(j), jets.particles);
  });
  return out;
}

}  // namespace flowjet::metrics
