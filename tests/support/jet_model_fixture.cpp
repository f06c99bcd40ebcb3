// Test fixture of jet_model_fixture.h.
#include "tests/support/jet_model_fixture.h"

#include <cmath>
#include <stdexcept>

#include "data/preprocess.h"
#include "engine/random/sequential_rng.h"
#include "tests/support/flow_specs.h"

namespace flowjet::test {

data::JetSet jetnet_like_jets(int64_t count, uint64_t seed) {
  constexpr int64_t kParticles = 30;
  SequentialRng rng(seed);
  data::JetSet jets = data::JetSet::zeros(count, kParticles, data::JetType::G);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t n = 3 + static_cast<int64_t>(rng.uniform_index(8));
    for (int64_t k = 0; k < n; ++k) {
      jets.particle(i, k, data::kEtaRel) = static_cast<float>(0.4 * (rng.uniform() - 0.5));
      jets.particle(i, k, data::kPhiRel) = static_cast<float>(0.4 * (rng.uniform() - 0.5));
      // A geometric pt profile with a ±5 % wobble, so that slots stay ordered by decreasing pt.
      jets.particle(i, k, data::kPtRel) = static_cast<float>(0.4 * std::pow(0.6, k) * (1.0 + 0.1 * (rng.uniform() - 0.5)));
      jets.particle(i, k, data::kMask) = 1.0f;
    }
    jets.jet(i, data::kJetPt) = static_cast<float>(900.0 + 200.0 * rng.uniform());
    jets.jet(i, data::kJetEta) = static_cast<float>(rng.uniform() - 0.5);
    jets.jet(i, data::kJetMass) = static_cast<float>(50.0 + 100.0 * rng.uniform());
    jets.jet(i, data::kJetNumParticles) = static_cast<float>(n);
  }
  return jets;
}

flows::JetModel small_jet_model(const std::string& kind, uint64_t seed) {
  int64_t context = -1;
  if (kind == "cnf_m") context = 1;
  else if (kind == "cnf_mn") context = 2;
  else if (kind != "vnf") throw std::invalid_argument("small_jet_model: unknown kind " + kind);

  data::PrepareOptions prepare_options;
  prepare_options.seed = seed;
  const data::PreparedData prepared = data::prepare(jetnet_like_jets(400, seed), prepare_options);

  flows::FlowSpec spec = small_jet_flow_spec(context);
  spec.seed = seed;

  flows::JetModel model;
  model.flow = std::make_unique<flows::Flow>(spec);
  model.flow->eval();
  model.scaler = prepared.scaler;
  if (context > 0) model.sampler = flows::ConditionalSampler::fit(prepared, seed);
  model.kind = kind;
  model.particles = 30;
  model.scaled_zero_mass = prepared.scaled_zero_mass;
  model.jet_type = "g";
  return model;
}

}  // namespace flowjet::test
