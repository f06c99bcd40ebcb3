// CPU vs CUDA parity of FPND's ParticleNet: jetnet's weights moved to the GPU with Module::to, the fc1
// activations of the golden jets of metric-definitions.md §11.7 (and of the 300 deterministic jets of 11.8, in
// one batch) against the CPU network and against the reference values. The weights are the repository's
// copy in metrics/resources/fpnd; skipped only without a usable GPU.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "metrics/fpnd/fpnd_pipeline.h"
#include "metrics/fpnd/particlenet_weights.h"
#include "tests/metrics/fpnd/fpnd_jets.h"
#include "tests/support/parity.h"

using namespace flowjet;
using namespace flowjet::metrics;

namespace {

std::string weights_path() { return metrics::testing::fpnd_test_dir() + "/pnet_state_dict.pt"; }

// fc1 activations of `jets` on a CPU network and on a CUDA copy of it, as [jets, 256] tensors.
std::pair<Tensor, Tensor> activations_on_both(const JetArray& jets, int64_t batch_size) {
  int64_t used = 0;
  const std::vector<float> input = fpnd_network_input(jets, 0, used);
  auto cpu_net = load_particlenet(weights_path());
  auto cuda_net = load_particlenet(weights_path());
  cuda_net->to(Device::CUDA);
  const Shape shape{used, ParticleNet::kActivations};
  const std::vector<float> cpu = particlenet_activations(*cpu_net, input, used, jets.particles, batch_size);
  const std::vector<float> cuda = particlenet_activations(*cuda_net, input, used, jets.particles, batch_size);
  return {Tensor::from_data<float>(cpu.data(), shape), Tensor::from_data<float>(cuda.data(), shape)};
}

// Three chained EdgeConv blocks of cuBLAS GEMMs with their own summation order: 10x the per-op bound.
constexpr flowjet::testing::ParityTolerance kNetworkTolerance{1e-3};

}  // namespace

TEST_CASE("cuda/particlenet: fc1 activations of the golden jets on the GPU" *
          doctest::skip(flowjet::testing::cuda_parity_skipped())) {
  const auto [cpu, cuda] = activations_on_both(metrics::testing::golden_fpnd_jets(), 3);
  flowjet::testing::check_close("golden jets, fc1", cpu, cuda, kNetworkTolerance);
  // The same bound as the CPU network's test against jetnet's float32 values (metric-definitions.md §11.7): 2e-5 absolute.
  const std::vector<double> expected = metrics::testing::golden_fpnd_activations();
  const std::vector<double> got = cuda.to_vector();
  double worst = 0;
  for (std::size_t n = 0; n < got.size(); ++n) worst = std::max(worst, std::fabs(got[n] - expected[n]));
  INFO("largest difference from the reference " << worst);
  CHECK(worst <= 2e-5);
}

TEST_CASE("cuda/particlenet: 300 jets with 10 to 30 particles in one batch" *
          doctest::skip(flowjet::testing::cuda_parity_skipped())) {
  const auto [cpu, cuda] = activations_on_both(metrics::testing::deterministic_fpnd_jets(), 300);
  flowjet::testing::check_close("300 deterministic jets, fc1", cpu, cuda, kNetworkTolerance);
}
