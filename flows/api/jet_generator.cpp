// JetGenerator: the embedding API over load_jet_model, generate_jets and jet_log_prob.
#include "flows/api/jet_generator.h"

#include <utility>

#include "engine/backend/device_choice.h"
#include "flows/generate.h"
#include "flows/io/jet_model.h"
#include "flows/jet_log_prob.h"

namespace flowjet {

struct JetGenerator::Impl {
  flows::JetModel model;
};

namespace {

flows::JetModel load_on_device(const std::string& checkpoint_path, const std::string& device_name) {
  std::string note;  // a library does not print; device() tells what "auto" chose
  const Device device = choose_device(device_name, "JetGenerator: device", note);
  flows::JetModel model = flows::load_jet_model(checkpoint_path);
  model.flow->to(device);
  return model;
}

}  // namespace

JetGenerator::JetGenerator(const std::string& checkpoint_path, const std::string& device)
    : impl_(std::make_unique<Impl>(Impl{load_on_device(checkpoint_path, device)})) {}
JetGenerator::~JetGenerator() = default;
JetGenerator::JetGenerator(JetGenerator&&) noexcept = default;
JetGenerator& JetGenerator::operator=(JetGenerator&&) noexcept = default;

Jets JetGenerator::sample(int64_t count, uint64_t seed) {
  flows::GenerateOptions options;
  options.seed = seed;
  data::JetSet set = flows::generate_jets(impl_->model, count, options);
  return Jets{set.jets, set.particles, std::move(set.particle_features), std::move(set.jet_features)};
}

std::vector<double> JetGenerator::log_prob(const Jets& jets) {
  data::JetSet set;
  set.jets = jets.count;
  set.particles = jets.particles;
  set.particle_features = jets.particle_features;
  set.jet_features = jets.jet_features;
  return flows::jet_log_prob(impl_->model, set);
}

int64_t JetGenerator::particles() const { return impl_->model.particles; }
std::string JetGenerator::device() const { return device_name(impl_->model.flow->device()); }
std::string JetGenerator::kind() const { return impl_->model.kind; }
std::string JetGenerator::jet_type() const { return impl_->model.jet_type; }

}  // namespace flowjet
