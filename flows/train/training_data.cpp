// Reading and preparing the training data.
#include "flows/train/training_data.h"

#include <fmt/format.h>

#include <algorithm>

#include "data/jetnet_hdf5.h"
#include "engine/core/error.h"

namespace flowjet::flows {

TrainingData load_training_data(const DataOptions& options) {
  const std::optional<data::JetType> type = data::parse_jet_type(options.jet_type);
  if (!type) throw ConfigError(fmt::format("unknown jet type \"{}\" (expected g, q or t)", options.jet_type));
  data::ReadOptions read;
  read.particles = options.particles;
  read.max_jets = options.max_jets > 0 ? options.max_jets : -1;
  read.cap_num_particles = true;  // files with 150 particles: n counts the first P only
  read.type = type;
  TrainingData out;
  out.jets = data::read_jetnet(options.path, read, &out.warnings);
  out.prepared = data::prepare(out.jets, options.prepare);
  return out;
}

data::JetSet select_jets(const data::JetSet& jets, const std::vector<int64_t>& rows) {
  data::JetSet out = data::JetSet::zeros(static_cast<int64_t>(rows.size()), jets.particles, jets.type);
  const int64_t per_jet = jets.particles * data::kParticleFeatureCount;
  for (size_t i = 0; i < rows.size(); ++i) {
    const int64_t r = rows[i];
    if (r < 0 || r >= jets.jets) throw ShapeError(fmt::format("select_jets: row {} outside the {} jets", r, jets.jets));
    std::copy_n(jets.particle_features.begin() + r * per_jet, per_jet, out.particle_features.begin() + i * per_jet);
    std::copy_n(jets.jet_features.begin() + r * data::kJetFeatureCount, data::kJetFeatureCount,
                out.jet_features.begin() + i * data::kJetFeatureCount);
  }
  return out;
}

}  // namespace flowjet::flows
