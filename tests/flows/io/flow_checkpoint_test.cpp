// Flow and jet-model checkpoints: exact round trips (spec, weights, batchnorm statistics, masks,
// scaler, sampler) and clear errors for files that do not hold what they claim.
#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/ops/binary/binary.h"
#include "flows/io/jet_model.h"
#include "tests/support/flow_specs.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

// Fields away from FlowSpec's defaults, so that the round trip shows each one is stored.
FlowSpec checkpoint_spec(CouplingKind coupling) {
  FlowSpec spec = test::small_flow_spec();
  spec.coupling = coupling;
  spec.num_blocks = 1;
  spec.mask = MaskKind::WholeParticle;
  spec.seed = 18446744073709551557ull;  // needs all 64 bits
  return spec;
}

// Non-trivial weights and batchnorm running statistics: perturb, then one training-mode pass.
void make_non_trivial(Flow& flow, Generator& gen, const Tensor& x, const Tensor& c) {
  NoGradScope no_grad;
  for (NamedTensor& p : flow.named_parameters())
    p.tensor.copy_(p.tensor + random_normal(p.tensor.shape(), gen, p.tensor.dtype(), Device::CPU, 0.0, 0.3));
  flow.train();
  flow.log_prob(x, c);
  flow.eval();
}

}  // namespace

TEST_CASE("flows/checkpoint: a saved flow reloads with the same spec and the same log_prob bit for bit") {
  for (CouplingKind coupling : {CouplingKind::RationalQuadratic, CouplingKind::Affine}) {
    CAPTURE(coupling_kind_name(coupling));
    test::TempDir dir;
    Flow flow(checkpoint_spec(coupling));
    Generator gen(3);
    Tensor x = random_normal(Shape{16, 6}, gen, DType::F64), c = random_normal(Shape{16, 2}, gen, DType::F64);
    make_non_trivial(flow, gen, x, c);
    save_flow(dir.file("flow.h5"), flow);
    std::unique_ptr<Flow> loaded = load_flow(dir.file("flow.h5"));
    const FlowSpec& a = flow.spec();
    const FlowSpec& b = loaded->spec();
    CHECK(b.coupling == a.coupling);
    CHECK(b.seed == a.seed);
    CHECK(b.mask == a.mask);
    CHECK(b.bins == a.bins);
    CHECK(b.batch_norm == a.batch_norm);
    CHECK(b.dtype == a.dtype);
    CHECK_FALSE(loaded->is_training());
    NoGradScope no_grad;
    CHECK(loaded->log_prob(x, c).to_vector() == flow.log_prob(x, c).to_vector());
    CHECK(loaded->sample(x, c).to_vector() == flow.sample(x, c).to_vector());
  }
}

TEST_CASE("flows/checkpoint: jet model round trip keeps scaler, sampler and metadata") {
  test::TempDir dir;
  FlowSpec spec = checkpoint_spec(CouplingKind::RationalQuadratic);
  JetModel model;
  model.flow = std::make_unique<Flow>(spec);
  model.particles = 2;
  model.kind = "cnf_mn";
  model.jet_type = "t";
  model.scaled_zero_mass = -1.75;
  model.scaler = data::StandardScaler({1, 2, 3, 4, 5, 6, 7}, {0.5, 0.25, 1, 2, 3, 4, 5});
  std::vector<double> mass = {0.1, -0.3, 0.7, 1.2, -1.0, 0.4};
  std::vector<int32_t> n = {1, 1, 2, 2, 2, 1};
  model.sampler = ConditionalSampler::fit(mass, n, {0, 1, 2, 3, 4, 5}, 7);
  save_jet_model(dir.file("model.h5"), model, {{"train.step", int64_t{12}}});

  Checkpoint checkpoint = load_checkpoint(dir.file("model.h5"));
  CHECK(checkpoint.int_attribute("train.step") == 12);
  JetModel loaded = restore_jet_model(checkpoint);
  CHECK(loaded.kind == "cnf_mn");
  CHECK(loaded.jet_type == "t");
  CHECK(loaded.particles == 2);
  CHECK(loaded.scaled_zero_mass == -1.75);
  CHECK(loaded.scaler.mean() == model.scaler.mean());
  CHECK(loaded.scaler.std() == model.scaler.std());
  REQUIRE(loaded.sampler.has_value());
  CHECK(loaded.sampler->multiplicities() == model.sampler->multiplicities());
  for (double u : {0.0, 0.3, 0.99}) CHECK(loaded.sampler->quantile(2, u) == model.sampler->quantile(2, u));
}

TEST_CASE("flows/checkpoint: inconsistent or incomplete files are refused with the file and the part named") {
  test::TempDir dir;
  FlowSpec spec = checkpoint_spec(CouplingKind::Affine);
  Flow flow(spec);

  SUBCASE("a checkpoint without flow attributes") {
    save_checkpoint(dir.file("plain.h5"), flow_state(flow));
    CHECK_THROWS_WITH_AS(load_flow(dir.file("plain.h5")), doctest::Contains("not a flow checkpoint"), CheckpointError);
  }
  SUBCASE("a missing weight") {
    Attributes attributes;
    put_flow_spec(attributes, spec);
    NamedTensors state = flow_state(flow);
    state.erase(state.begin());
    save_checkpoint(dir.file("missing.h5"), state, attributes);
    CHECK_THROWS_WITH_AS(load_flow(dir.file("missing.h5")), doctest::Contains("transforms.0"), CheckpointError);
  }
  SUBCASE("a bad enum attribute") {
    Attributes attributes;
    put_flow_spec(attributes, spec);
    attributes["flow.mask"] = std::string("diagonal");
    save_checkpoint(dir.file("mask.h5"), flow_state(flow), attributes);
    CHECK_THROWS_WITH_AS(load_flow(dir.file("mask.h5")), doctest::Contains("flow.mask"), CheckpointError);
  }
  SUBCASE("a jet model whose scaler does not fit the flow") {
    JetModel model;
    model.flow = std::make_unique<Flow>(spec);
    model.particles = 2;
    model.scaler = data::StandardScaler({0, 0, 0}, {1, 1, 1});
    model.sampler = ConditionalSampler::fit({0.1, 0.2}, {1, 1}, {0, 1}, 1);
    CHECK_THROWS_WITH_AS(save_jet_model(dir.file("bad.h5"), model), doctest::Contains("scaler has 3 columns"),
                         CheckpointError);
    CHECK(dir.listing().empty());
  }
}
