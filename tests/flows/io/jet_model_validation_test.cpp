// Jet-model files are checked on load: a valid small model is saved, then one thing at a time is
// corrupted (a weight, the scaler, a mask, an attribute, an extra tensor, the sampler) and each load
// must fail with one CheckpointError naming the file and the tensor or attribute.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "engine/core/error.h"
#include "engine/io/checkpoint.h"
#include "flows/io/jet_model.h"
#include "tests/support/error_message.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The tensor called `name` (or, with a name ending in "*", the first whose name starts with the rest).
NamedTensor& tensor_named(Checkpoint& checkpoint, const std::string& name) {
  const bool prefix = name.back() == '*';
  const std::string stem = prefix ? name.substr(0, name.size() - 1) : name;
  for (NamedTensor& t : checkpoint.tensors)
    if (prefix ? t.name.compare(0, stem.size(), stem) == 0 : t.name == name) return t;
  FAIL("no tensor " << name);
  throw Error("unreachable");
}

// Replaces element `index` of a tensor (same dtype and shape).
void set_element(NamedTensor& t, std::size_t index, double value) {
  std::vector<double> values = t.tensor.to_vector();
  values.at(index) = value;
  t.tensor = Tensor::from_vector(values, t.tensor.shape(), t.tensor.dtype());
}

// Saves a valid model, rewrites it through `edit` into bad.h5, and returns the load error ("" when it loads).
std::string load_error_after(const std::function<void(Checkpoint&)>& edit, const std::string& kind = "cnf_mn") {
  test::TempDir dir;
  save_jet_model(dir.file("good.h5"), test::small_jet_model(kind));
  Checkpoint checkpoint = load_checkpoint(dir.file("good.h5"));
  edit(checkpoint);
  save_checkpoint(dir.file("bad.h5"), checkpoint.tensors, checkpoint.attributes);
  try {
    load_jet_model(dir.file("bad.h5"));
  } catch (const CheckpointError& e) {
    const std::string message = e.what();
    CHECK(test::contains(message, "bad.h5: "));
    CHECK(message.find('\n') == std::string::npos);
    return message;
  }
  return "";
}

}  // namespace

TEST_CASE("flows/io/jet_model: an unchanged rewrite loads, and so do a training checkpoint's optim/ tensors") {
  CHECK(load_error_after([](Checkpoint&) {}).empty());
  CHECK(load_error_after([](Checkpoint& c) {
          c.tensors.push_back({"optim/step", Tensor::from_vector({3.0}, Shape{1}, DType::F64)});
        }).empty());
  CHECK(load_error_after([](Checkpoint& c) { c.attributes["model.kind"] = std::string(); }).empty());
}

TEST_CASE("flows/io/jet_model: non-finite weights are refused naming the tensor") {
  for (double bad : {kNaN, kInf, -kInf}) {
    CAPTURE(bad);
    const std::string message = load_error_after([&](Checkpoint& c) { set_element(tensor_named(c, "transforms.1.*"), 0, bad); });
    CHECK(test::contains(message, "tensor \"transforms.1."));
    CHECK(test::contains(message, "non-finite value"));
  }
}

TEST_CASE("flows/io/jet_model: a scaler std that is zero, negative or infinite, or a non-finite mean, is refused") {
  for (double bad : {0.0, -1.0, kInf, kNaN}) {
    CAPTURE(bad);
    const std::string message = load_error_after([&](Checkpoint& c) { set_element(tensor_named(c, "aux/scaler/std"), 2, bad); });
    CHECK(test::contains(message, "tensor \"aux/scaler/std\""));
    CHECK(test::contains(message, "at index 2 (expected a positive, finite std)"));
  }
  const std::string message = load_error_after([](Checkpoint& c) { set_element(tensor_named(c, "aux/scaler/mean"), 0, kNaN); });
  CHECK(test::contains(message, "tensor \"aux/scaler/mean\" has nan at index 0"));
}

TEST_CASE("flows/io/jet_model: masks must hold exactly 0 and 1, as many 1s as the spec's") {
  std::string message = load_error_after([](Checkpoint& c) { set_element(tensor_named(c, "transforms.0.mask"), 0, 0.5); });
  CHECK(test::contains(message, "mask \"transforms.0.mask\" has the value 0.5 at index 0"));
  message = load_error_after([](Checkpoint& c) {
    NamedTensor& mask = tensor_named(c, "transforms.0.mask");
    std::vector<double> values = mask.tensor.to_vector();
    for (double& v : values) v = 1.0;  // transforms every feature: the conditioner would see none
    mask.tensor = Tensor::from_vector(values, mask.tensor.shape(), mask.tensor.dtype());
  });
  CHECK(test::contains(message, "mask \"transforms.0.mask\" transforms 90 of 90 features, the flow's spec transforms 45"));
}

TEST_CASE("flows/io/jet_model: unknown model.kind or jet type, a mistyped attribute, absurd particles") {
  std::string message = load_error_after([](Checkpoint& c) { c.attributes["model.kind"] = std::string("gan"); });
  CHECK(test::contains(message, "attribute model.kind: unknown model kind \"gan\" (expected vnf, cnf_m, cnf_mn"));
  message = load_error_after([](Checkpoint& c) { c.attributes["model.jet_type"] = std::string("x"); });
  CHECK(test::contains(message, "attribute model.jet_type is \"x\" (expected g, q, t, w, z"));
  message = load_error_after([](Checkpoint& c) { c.attributes["model.particles"] = std::string("30"); });
  CHECK(test::contains(message, "model.particles"));
  message = load_error_after([](Checkpoint& c) { c.attributes["model.particles"] = int64_t{0}; });
  CHECK(test::contains(message, "attribute model.particles is 0 (expected 1 to 1000)"));
  message = load_error_after([](Checkpoint& c) { c.attributes["model.scaled_zero_mass"] = kInf; });
  CHECK(test::contains(message, "attribute model.scaled_zero_mass is inf"));
  message = load_error_after([](Checkpoint& c) { c.attributes["flow.bins"] = 8.0; });
  CHECK(test::contains(message, "flow.bins"));
}

TEST_CASE("flows/io/jet_model: a tensor that belongs to no part is refused by name") {
  const std::string message = load_error_after([](Checkpoint& c) {
    c.tensors.push_back({"aux/extra", Tensor::from_vector({1.0}, Shape{1}, DType::F64)});
  });
  CHECK(test::contains(message, "unexpected tensor \"aux/extra\""));
}

TEST_CASE("flows/io/jet_model: sampler masses, multiplicities and counts are checked before they are used") {
  std::string message = load_error_after([](Checkpoint& c) { set_element(tensor_named(c, "aux/sampler/masses"), 1, kNaN); });
  CHECK(test::contains(message, "tensor \"aux/sampler/masses\" has nan at index 1"));
  message = load_error_after([](Checkpoint& c) {
    NamedTensor& n = tensor_named(c, "aux/sampler/multiplicities");
    set_element(n, static_cast<std::size_t>(n.tensor.numel() - 1), 1e12);  // beyond int32 and P
  });
  CHECK(test::contains(message, "tensor \"aux/sampler/multiplicities\" has 1000000000000 at index"));
  message = load_error_after([](Checkpoint& c) { set_element(tensor_named(c, "aux/sampler/counts"), 0, 1e30); });
  CHECK(test::contains(message, "ConditionalSampler: entry 0"));
}

TEST_CASE("flows/io/flow_checkpoint: a bare flow file may hold only the flow's tensors") {
  test::TempDir dir;
  JetModel model = test::small_jet_model("vnf");
  save_flow(dir.file("flow.h5"), *model.flow, {}, {{"notes", Tensor::from_vector({1.0}, Shape{1}, DType::F64)}});
  const std::string message = test::error_message<CheckpointError>([&] { load_flow(dir.file("flow.h5")); });
  CHECK(test::contains(message, "flow.h5: unexpected tensor \"notes\" (the file may hold only the flow's tensors)"));
}
