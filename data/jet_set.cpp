// Jet type names and parsing, and JetSet helpers.
#include "data/jet_set.h"

namespace flowjet::data {

const char* const kParticleFeatureNames[4] = {"eta_rel", "phi_rel", "pt_rel", "mask"};
const char* const kJetFeatureNames[4] = {"pt", "eta", "mass", "num_particles"};

const char* to_string(JetType type) {
  switch (type) {
    case JetType::G: return "g";
    case JetType::Q: return "q";
    case JetType::T: return "t";
    case JetType::W: return "w";
    case JetType::Z: return "z";
  }
  return "?";
}

std::optional<JetType> parse_jet_type(const std::string& name) {
  if (name == "g") return JetType::G;
  if (name == "q") return JetType::Q;
  if (name == "t") return JetType::T;
  if (name == "w") return JetType::W;
  if (name == "z") return JetType::Z;
  return std::nullopt;
}

std::optional<JetType> jet_type_from_file_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  for (const char* extension : {".hdf5", ".h5"}) {
    const std::string ext(extension);
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
      std::string stem = name.substr(0, name.size() - ext.size());
      if (stem.size() == 4 && stem.compare(1, 3, "150") == 0) stem = stem.substr(0, 1);
      return parse_jet_type(stem);
    }
  }
  return std::nullopt;
}

JetSet JetSet::zeros(int64_t jets, int64_t particles, JetType type) {
  JetSet set;
  set.jets = jets;
  set.particles = particles;
  set.type = type;
  set.particle_features.assign(static_cast<size_t>(jets * particles * 4), 0.0f);
  set.jet_features.assign(static_cast<size_t>(jets * 4), 0.0f);
  return set;
}

int64_t JetSet::real_particles(int64_t index) const {
  int64_t count = 0;
  for (int64_t k = 0; k < particles; ++k) count += particle(index, k, kMask) == 1.0f ? 1 : 0;
  return count;
}

}  // namespace flowjet::data
