// JetSet -> JetArray (jet_set_input.h).
#include "metrics/jets/jet_set_input.h"

#include "data/jetnet_hdf5.h"

namespace flowjet::metrics {

JetArray to_jet_array(const data::JetSet& jets) {
  JetArray out(jets.jets, jets.particles);
  for (int64_t j = 0; j < jets.jets; ++j)
    for (int64_t i = 0; i < jets.particles; ++i) {
      out.eta_rel(j, i) = jets.particle(j, i, data::kEtaRel);
      out.phi_rel(j, i) = jets.particle(j, i, data::kPhiRel);
      out.pt_rel(j, i) = jets.particle(j, i, data::kPtRel);
    }
  return out;
}

JetArray read_jet_array(const std::string& path, int64_t particles, data::JetType type,
                        std::vector<std::string>* warnings) {
  data::ReadOptions options;
  options.particles = particles;
  options.validate = false;
  options.type = type;
  return to_jet_array(data::read_jetnet(path, options, warnings));
}

}  // namespace flowjet::metrics
