// The coupling recipe of docs/architecture.md, proven with a coupling that lives only in the tests
// (scale_coupling.h): registered by the one line below, it is listed by the registry and by bin/train's
// key table, builds with the closed-form parameter count, trains a step, round-trips through a
// checkpoint and shows in the summary. flow_invariants_test.cpp runs the invertibility and log-det
// checks on every registered coupling, this one included.
#include <cmath>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/autograd/tape.h"
#include "engine/core/error.h"
#include "engine/optim/adam.h"
#include "flows/coupling/coupling_registry.h"
#include "flows/inspect/model_summary.h"
#include "flows/io/flow_checkpoint.h"
#include "flows/loss/nll.h"
#include "tests/flows/coupling/scale_coupling.h"
#include "tests/support/error_message.h"
#include "tests/support/flow_specs.h"
#include "tests/support/temp_dir.h"
#include "tools/common/train_config.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

// The recipe's registration line (before main, so every test of this binary sees the coupling).
const bool kScaleRegistered = (register_coupling(test::scale_coupling_info()), true);

FlowSpec scale_spec() {
  FlowSpec spec = test::small_flow_spec();  // D 6, 3 layers, H 8, 2 blocks with batch norm, context 2, f64
  spec.coupling = CouplingKind("scale");
  return spec;
}

Tensor inputs(const FlowSpec& spec, int64_t rows, Generator& gen) {
  return random_normal(Shape{rows, spec.features}, gen, spec.dtype);
}
Tensor context(const FlowSpec& spec, int64_t rows, Generator& gen) {
  return random_normal(Shape{rows, spec.context_features}, gen, spec.dtype);
}

}  // namespace

TEST_CASE("flows/coupling registry: a registered coupling is listed, parsed and offered by bin/train's keys") {
  REQUIRE(kScaleRegistered);
  CHECK(coupling_names() == std::vector<std::string>{"rqs", "affine", "scale"});
  CHECK(parse_coupling_kind("scale") == CouplingKind("scale"));
  CHECK(parse_coupling_kind("spline") == CouplingKind::RationalQuadratic);  // the built-in alias
  const std::string unknown = test::error_message<ConfigError>([] { parse_coupling_kind("shift"); });
  CHECK(unknown == "unknown coupling \"shift\" (expected rqs, affine or scale)");
  const std::string taken = test::error_message<ConfigError>([] { register_coupling(test::scale_coupling_info()); });
  CHECK(taken.find("\"scale\" is taken") != std::string::npos);
  CouplingInfo incomplete = test::scale_coupling_info();
  incomplete.name = "scale2";
  incomplete.make = nullptr;
  CHECK_THROWS_AS(register_coupling(incomplete), ConfigError);
  const tools::KeySpec* key = tools::train_schema().find("model", "coupling");
  REQUIRE(key != nullptr);
  CHECK(key->choices == std::vector<std::string>{"rqs", "affine", "scale"});
}

TEST_CASE("flows/coupling registry: the scale flow has the closed-form size and shows in the summary") {
  const FlowSpec spec = scale_spec();
  Flow flow(spec);
  // One parameter per transformed feature: the conditioner of each layer outputs |T| = 3 values.
  CHECK(flow.layer(0).conditioner().spec().out_features == 3);
  CHECK(flow.parameter_count() == spec.parameter_count());
  const ModelSummary summary = summarize_flow(flow);
  CHECK(summary.rows[2].path == "transforms.0");
  CHECK(summary.rows[2].type == "ScaleCoupling");
  CHECK(summary.rows[2].output_shape == "[B, 6]");
  CHECK(format_summary(summary, 2).find("├─ScaleCoupling: 0") != std::string::npos);
  CHECK(format_hyperparameters(spec).find("scale: v * exp(tanh(s)), test only") != std::string::npos);
}

TEST_CASE("flows/coupling registry: a scale flow trains one step") {
  FlowSpec spec = scale_spec();
  spec.batch_norm = false;  // the same function of the weights before and after the step
  Flow flow(spec);
  Generator gen(31);
  const Tensor x = inputs(spec, 32, gen), c = context(spec, 32, gen);
  Adam adam(flow.named_parameters(), AdamOptions{1e-2});
  const Tensor loss = nll_loss(flow, x, c);
  const double before = loss.item();
  backward(loss);
  bool every_layer_has_a_gradient = true;
  for (const NamedTensor& p : flow.named_parameters())
    if (p.name.find(".final_layer.weight") != std::string::npos && !p.tensor.grad().defined())
      every_layer_has_a_gradient = false;
  CHECK(every_layer_has_a_gradient);
  adam.step();
  const double after = nll_loss(flow, x, c).item();
  CHECK(std::isfinite(after));
  CHECK(after < before);
}

TEST_CASE("flows/coupling registry: a scale flow round-trips through a checkpoint bit for bit") {
  const FlowSpec spec = scale_spec();
  Flow flow(spec);
  Generator gen(32);
  {
    NoGradScope no_grad;
    for (NamedTensor& p : flow.named_parameters())
      p.tensor.copy_(random_normal(p.tensor.shape(), gen, p.tensor.dtype(), Device::CPU, 0.0, 0.3));
  }
  flow.eval();
  const Tensor x = inputs(spec, 8, gen), c = context(spec, 8, gen);
  const std::vector<double> expected = flow.log_prob(x, c).to_vector();
  test::TempDir dir;
  save_flow(dir.file("scale.ckpt"), flow);
  CHECK(load_checkpoint(dir.file("scale.ckpt")).string_attribute("flow.coupling") == "scale");
  std::unique_ptr<Flow> loaded = load_flow(dir.file("scale.ckpt"));
  CHECK(loaded->spec().coupling == CouplingKind("scale"));
  CHECK(loaded->layer(1).type_name() == "ScaleCoupling");
  CHECK(loaded->log_prob(x, c).to_vector() == expected);
}
