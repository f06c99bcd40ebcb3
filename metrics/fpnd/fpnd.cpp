// FPND end to end (metric-definitions.md §9.1): resources, scaling, ParticleNet, Fréchet distance.
#include "metrics/fpnd/fpnd.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "metrics/fpnd/fpnd_pipeline.h"
#include "metrics/fpnd/fpnd_resources.h"
#include "metrics/fpnd/particlenet_weights.h"

namespace flowjet::metrics {

namespace {
/// jetnet's FPND resources are for 30-particle jets (fpnd_resources/jetnet/30_particles).
constexpr int64_t kFpndParticles = 30;
}  // namespace

double fpnd(const JetArray& generated, char jet_type, const FpndOptions& options, std::vector<std::string>* warnings) {
  const std::string directory = options.directory.empty() ? default_fpnd_directory() : options.directory;
  if (options.batch_size < 1) throw ConfigError("fpnd: batch size must be at least 1");
  if (generated.particles != kFpndParticles)
    throw ShapeError(fmt::format("fpnd: jets must have {} particles (the reference statistics' ParticleNet input), "
                                 "got {}", kFpndParticles, generated.particles));
  // Statistics first: a wrong jet type or a missing file fails before the network runs.
  const GaussianStats reference = load_fpnd_statistics(directory, jet_type);
  verify_fpnd_resource(directory, "pnet_state_dict.pt");
  int64_t used_jets = 0;
  const std::vector<float> input = fpnd_network_input(generated, options.max_jets, used_jets);
  const auto net = load_particlenet(directory + "/pnet_state_dict.pt");
  net->to(options.device);
  const std::vector<float> activations =
      particlenet_activations(*net, input, used_jets, generated.particles, options.batch_size);
  return fpnd_from_activations(activations, used_jets, ParticleNet::kActivations, reference, warnings);
}

}  // namespace flowjet::metrics
