// ParticleNet from engine ops against jetnet's network: the fc1 activations and classifier logits of
// the golden jets of metric-definitions.md §11.7, float32 and float64, and the weight loader's errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/fpnd/fpnd_pipeline.h"
#include "metrics/fpnd/particlenet_weights.h"
#include "tests/metrics/fpnd/fpnd_jets.h"
#include "tests/metrics/test_util.h"

using namespace flowjet;
using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

namespace {

std::string weights_path() { return fpnd_test_dir() + "/pnet_state_dict.pt"; }

/// Scaled network input of the three golden jets, [3, 30, 3].
std::vector<float> golden_input() {
  int64_t used = 0;
  return fpnd_network_input(golden_fpnd_jets(), 0, used);
}

/// Largest |got - expected| over all components.
template <class V>
double max_abs_difference(const V& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  double worst = 0;
  for (std::size_t n = 0; n < got.size(); ++n) worst = std::max(worst, std::fabs(got[n] - expected[n]));
  return worst;
}

// Spec 11.7: classifier logits (classes g q t w z), printed to 6 significant digits.
const std::vector<double> kGoldenLogits = {-2.63076, 5.07234,  -1.93707,  -3.54635, -1.99739,
                                           -6.4142,  3.90532,  -0.833234, -3.50351, -1.61549,
                                           -5.66686, -2.99898, 0.998582,  -1.73685, 2.81649};

}  // namespace

TEST_CASE("metrics/particlenet: fc1 activations of the golden jets (metric-definitions.md §11.7), 2e-5 absolute") {
  auto net = load_particlenet(weights_path());
  const std::vector<double> expected = golden_fpnd_activations();
  const std::vector<float> activations = particlenet_activations(*net, golden_input(), 3, 30, 2);
  const double worst = max_abs_difference(activations, expected);
  INFO("largest difference " << worst);
  CHECK(worst <= 2e-5);
  // The batch size only changes how jets are grouped.
  CHECK(particlenet_activations(*net, golden_input(), 3, 30, 3) == activations);

  // Classifier head: fc2(relu(fc1)); tolerance 2e-5 plus the logits' printed rounding.
  const Tensor logits = net->classify(Tensor::from_data<float>(activations.data(), Shape{3, 256}));
  CHECK(max_abs_difference(logits.to_vector(), kGoldenLogits) <= 2e-5 + 5e-6 * 6.5);
}

TEST_CASE("metrics/particlenet: the float64 network is within 6e-6 of the float32 reference") {
  // Spec 11.7: the reference network run in float64 differs from its float32 values by at most 5.1e-6.
  auto net = load_particlenet(weights_path());
  net->to(DType::F64);
  const std::vector<float> activations = particlenet_activations(*net, golden_input(), 3, 30, 3);
  // Measured 5.01e-6; 6e-6 leaves room for the float32 rounding of the result.
  const double worst = max_abs_difference(activations, golden_fpnd_activations());
  INFO("largest difference " << worst);
  CHECK(worst <= 6e-6);
}

TEST_CASE("metrics/particlenet: the one-jet-at-a-time CPU blocks equal the op-by-op ones bit for bit") {
  // 300 jets of 10 to 30 particles (padding included) through the fused path (forward) and the op-by-op
  // one (forward_by_ops), float32 and float64, on 1 and 2 threads: the same arithmetic in the same order.
  auto net = load_particlenet(weights_path());
  int64_t used = 0;
  const std::vector<float> input = fpnd_network_input(deterministic_fpnd_jets(), 0, used);
  const Tensor x32 = Tensor::from_data<float>(input.data(), Shape{used, 30, 3});
  const std::vector<double> by_ops = net->forward_by_ops(x32).to_vector();
  const int threads_before = num_threads();
  for (const int threads : {1, 2}) {
    set_num_threads(threads);
    CHECK(net->forward(x32).to_vector() == by_ops);
  }
  set_num_threads(threads_before);
  net->to(DType::F64);
  const Tensor x64 = x32.to(DType::F64);
  CHECK(net->forward(x64).to_vector() == net->forward_by_ops(x64).to_vector());
}

TEST_CASE("metrics/particlenet: input shape and batch size errors") {
  ParticleNet net;
  CHECK_THROWS_AS(net(Tensor::zeros(Shape{2, 30, 4})), ShapeError);
  CHECK_THROWS_AS(net(Tensor::zeros(Shape{2, 16, 3})), ShapeError);  // needs 16 neighbours besides itself
  CHECK_THROWS_AS(particlenet_activations(net, std::vector<float>(89), 1, 30, 1), ShapeError);
  CHECK_THROWS_AS(particlenet_activations(net, std::vector<float>(90), 1, 30, 0), ConfigError);
}

namespace {

/// Runs load_particlenet_weights on a modified copy of the real state dict and checks that it throws
/// DataError mentioning every needle, and that the network's weights were left untouched.
template <class Modify>
void check_load_error(Modify modify, const std::vector<std::string>& needles) {
  static const TorchStateDict original = read_torch_legacy_state_dict(weights_path());
  TorchStateDict state = original;
  modify(state);
  ParticleNet net;
  const std::vector<double> before = net.named_parameters().front().tensor.to_vector();
  try {
    load_particlenet_weights(net, state);
    FAIL("expected DataError");
  } catch (const DataError& e) {
    const std::string message = e.what();
    INFO(message);
    for (const std::string& needle : needles) CHECK(message.find(needle) != std::string::npos);
  }
  CHECK(net.named_parameters().front().tensor.to_vector() == before);
}

StoredTensor& find(TorchStateDict& state, const std::string& name) {
  for (StoredTensor& t : state.tensors)
    if (t.name == name) return t;
  FAIL("no tensor " << name);
  throw std::logic_error("unreachable");
}

void erase(TorchStateDict& state, const std::string& name) {
  auto& t = state.tensors;
  t.erase(std::remove_if(t.begin(), t.end(), [&](const StoredTensor& s) { return s.name == name; }), t.end());
}

}  // namespace

TEST_CASE("metrics/particlenet: weight loading names the file and the tensor on every mismatch") {
  const std::string file = "pnet_state_dict.pt";
  check_load_error([](TorchStateDict& s) { erase(s, "fc1.0.bias"); }, {file, "\"fc1.0.bias\" is missing", "[256]"});
  check_load_error([](TorchStateDict& s) { erase(s, "edge_nets.2.model.4.running_var"); },
                   {"\"edge_nets.2.model.4.running_var\" is missing"});
  check_load_error([](TorchStateDict& s) { erase(s, "edge_convs.1.nn.model.3.weight"); },
                   {"\"edge_convs.1.nn.model.3.weight\" is missing", "[128, 128]"});
  check_load_error([](TorchStateDict& s) { erase(s, "edge_nets.0.model.7.num_batches_tracked"); },
                   {"\"edge_nets.0.model.7.num_batches_tracked\" is missing", "int64"});
  check_load_error([](TorchStateDict& s) {
    StoredTensor& t = find(s, "edge_nets.1.model.0.weight");
    t.shape = {128, 133};
    t.f32.resize(128 * 133);
  }, {file, "\"edge_nets.1.model.0.weight\" is float32 [128, 133], ParticleNet needs float32 [128, 134]"});
  check_load_error([](TorchStateDict& s) {
    StoredTensor& t = find(s, "fc2.bias");
    t.dtype = StoredDtype::Int64;
    t.i64.assign(5, 0);
    t.f32.clear();
  }, {"\"fc2.bias\" is int64 [5], ParticleNet needs float32 [5]"});
  check_load_error([](TorchStateDict& s) { find(s, "edge_convs.0.nn.model.0.bias").f32[3] += 1; },
                   {"\"edge_convs.0.nn.model.0.bias\" should repeat the values of \"edge_nets.0.model.0.bias\""});
  check_load_error([](TorchStateDict& s) {
    StoredTensor extra = find(s, "fc2.bias");
    extra.name = "fc3.bias";
    s.tensors.push_back(extra);
  }, {"unexpected tensor \"fc3.bias\""});
}

TEST_CASE("metrics/particlenet: a missing or foreign weight file is a DataError naming it") {
  CHECK_THROWS_WITH_AS(load_particlenet(fpnd_test_dir() + "/no_such_file.pt"),
                       doctest::Contains("no_such_file.pt"), DataError);
  CHECK_THROWS_WITH_AS(load_particlenet(fpnd_test_dir() + "/g_mu.txt"), doctest::Contains("g_mu.txt"), DataError);
}
