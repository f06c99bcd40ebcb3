// Writes the binary seeds of the fuzz corpus (`make fuzz-seeds`, bin/make_fuzz_seeds; the output is committed): a tiny
// JetNet file and two tiny checkpoints, small so that the fuzzer mutates mostly file structure.
// The text seeds (configs, .pt fixtures) are copies of committed files.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "data/jetnet_hdf5.h"
#include "engine/io/checkpoint.h"
#include "flows/io/jet_model.h"
#include "tests/support/jet_model_fixture.h"

using namespace flowjet;

namespace {

// Two jets of three particles in P = 3 slots (JetNet layout, passes the content checks).
void write_tiny_jetnet(const std::string& path) {
  const data::JetSet full = test::jetnet_like_jets(2, 7);
  data::JetSet jets = data::JetSet::zeros(2, 3, data::JetType::G);
  for (int64_t i = 0; i < jets.jets; ++i) {
    for (int64_t k = 0; k < jets.particles; ++k)
      for (int f = 0; f < 4; ++f) jets.particle(i, k, f) = full.particle(i, k, f);
    for (int f = 0; f < 4; ++f) jets.jet(i, f) = full.jet(i, f);
    jets.jet(i, data::kJetNumParticles) = 3.0f;
  }
  data::write_jetnet(path, jets);
}

// An unconditioned jet model for P = 1 (3 features) with one coupling layer of width 2.
void write_tiny_jet_model(const std::string& path) {
  flows::FlowSpec spec;
  spec.features = 3;
  spec.coupling_layers = 1;
  spec.bins = 2;
  spec.hidden_features = 2;
  spec.num_blocks = 1;
  flows::JetModel model;
  model.flow = std::make_unique<flows::Flow>(spec);
  model.flow->eval();
  model.scaler = data::StandardScaler({0.0, 0.1, 0.2, 5.0}, {1.0, 0.5, 0.25, 2.0});
  model.kind = "vnf";
  model.particles = 1;
  model.jet_type = "g";
  flows::save_jet_model(path, model);
}

// A plain checkpoint: one tensor and one attribute of each type.
void write_plain_checkpoint(const std::string& path) {
  const Tensor weights = Tensor::from_vector({1.0, -2.0, 0.5, 4.0}, {2, 2});
  save_checkpoint(path, {{"layer/weight", weights}},
                  {{"name", std::string("seed")}, {"step", int64_t{3}}, {"lr", 1e-3}, {"list", std::vector<double>{1, 2}}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::string corpus = argv[1];
  try {
    write_tiny_jetnet(corpus + "/jetnet_reader/tiny.h5");
    write_tiny_jet_model(corpus + "/checkpoint_reader/tiny_model.ckpt");
    write_plain_checkpoint(corpus + "/checkpoint_reader/plain.ckpt");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fuzz_make_seeds: %s\n", error.what());
    return 1;
  }
  return 0;
}
