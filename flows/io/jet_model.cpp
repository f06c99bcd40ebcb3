// JetModel: the flow plus scaler, sampler and generation metadata in one checkpoint.
#include "flows/io/jet_model.h"

#include <fmt/format.h>

#include <cmath>

#include "engine/core/error.h"
#include "data/jet_set.h"
#include "flows/train/train_options.h"

namespace flowjet::flows {

namespace {
constexpr const char* kScalerPrefix = "aux/scaler/";
constexpr const char* kSamplerPrefix = "aux/sampler/";

// Every tensor a jet-model file may hold beside the flow's: the scaler, the sampler, and the
// optimiser state of a training checkpoint ("optim/", read only when resuming).
const std::vector<std::string> kJetModelTensors = {"aux/scaler/mean",           "aux/scaler/std",
                                                   "aux/sampler/multiplicities", "aux/sampler/counts",
                                                   "aux/sampler/masses",         "optim/"};

// The metadata attributes: a kind bin/train knows ("" for an imported flow) and a JetNet jet type
// ("" when unknown); throws CheckpointError listing the allowed values.
void check_metadata(const Checkpoint& checkpoint, const JetModel& model) {
  auto fail = [&](const std::string& what) { throw CheckpointError(fmt::format("{}: {}", checkpoint.path, what)); };
  if (!model.kind.empty()) {
    try {
      parse_model_kind(model.kind);
    } catch (const ConfigError& e) {
      fail(fmt::format("attribute model.kind: {} or \"\" for an imported flow", e.what()));
    }
  }
  if (!model.jet_type.empty() && !data::parse_jet_type(model.jet_type))
    fail(fmt::format("attribute model.jet_type is \"{}\" (expected g, q, t, w, z, or \"\" when unknown)",
                     model.jet_type));
  if (model.particles < 1 || model.particles > 1000)
    fail(fmt::format("attribute model.particles is {} (expected 1 to 1000)", model.particles));
  if (!std::isfinite(model.scaled_zero_mass))
    fail(fmt::format("attribute model.scaled_zero_mass is {} (expected a finite number)", model.scaled_zero_mass));
}

// The values of the scaler and the sampler, before they are used: a finite mean and a positive,
// finite std per column (the scaler divides by it), finite masses, and multiplicities of at most
// P particles (the sampler casts them to int32).
void check_aux_values(const Checkpoint& checkpoint, int64_t particles) {
  auto fail = [&](const std::string& name, std::size_t i, double value, const char* expected) {
    throw CheckpointError(fmt::format("{}: tensor \"{}\" has {} at index {} (expected {})", checkpoint.path, name,
                                      value, i, expected));
  };
  auto check_each = [&](const std::string& name, auto is_good, const char* expected) {
    const Tensor* tensor = checkpoint.find(name);
    if (!tensor) return;  // a missing part is reported by from_arrays
    const std::vector<double> values = tensor->to_vector();
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!is_good(values[i])) fail(name, i, values[i], expected);
  };
  const auto finite = [](double v) { return std::isfinite(v); };
  check_each("aux/scaler/mean", finite, "a finite mean");
  check_each("aux/scaler/std", [](double v) { return std::isfinite(v) && v > 0; }, "a positive, finite std");
  check_each("aux/sampler/masses", finite, "a finite scaled mass");
  check_each("aux/sampler/multiplicities",
             [&](double v) { return v >= 0 && v <= static_cast<double>(particles); },
             "a multiplicity between 0 and the model's particles");
}

}  // namespace

NamedTensors arrays_to_tensors(const std::string& prefix, const data::NamedArrays& arrays) {
  NamedTensors tensors;
  for (const auto& [name, array] : arrays)
    tensors.push_back({prefix + name, Tensor::from_vector(array.values, Shape(array.shape), DType::F64)});
  return tensors;
}

data::NamedArrays arrays_from_checkpoint(const Checkpoint& checkpoint, const std::string& prefix) {
  data::NamedArrays arrays;
  for (const NamedTensor& t : checkpoint.tensors_under(prefix))
    arrays[t.name] = data::NamedArray{t.tensor.shape().dims(), t.tensor.to_vector()};
  return arrays;
}

Attributes JetModel::attributes() const {
  Attributes a;
  a["model.kind"] = kind;
  a["model.particles"] = particles;
  a["model.scaled_zero_mass"] = scaled_zero_mass;
  a["model.jet_type"] = jet_type;
  return a;
}

NamedTensors JetModel::aux_tensors() const {
  NamedTensors tensors = arrays_to_tensors(kScalerPrefix, scaler.to_arrays());
  if (sampler) {
    NamedTensors s = arrays_to_tensors(kSamplerPrefix, sampler->to_arrays());
    tensors.insert(tensors.end(), s.begin(), s.end());
  }
  return tensors;
}

void JetModel::check(const std::string& origin) const {
  auto fail = [&](const std::string& what) { throw CheckpointError(fmt::format("{}: {}", origin, what)); };
  if (!flow) fail("the model has no flow");
  const FlowSpec& spec = flow->spec();
  if (spec.features != 3 * particles)
    fail(fmt::format("the flow has {} features but the model has {} particles (expected {})", spec.features,
                     particles, 3 * particles));
  if (scaler.columns() != 3 * particles + 1)
    fail(fmt::format("the scaler has {} columns, expected 3P + 1 = {}", scaler.columns(), 3 * particles + 1));
  if (spec.context_features > 0 && !sampler)
    fail(fmt::format("the flow is conditioned on {} context features but the model has no conditional sampler",
                     spec.context_features));
}

void save_jet_model(const std::string& path, const JetModel& model, const Attributes& extra_attributes,
                    const NamedTensors& extra_tensors) {
  model.check(path);
  Attributes attributes = model.attributes();
  attributes.insert(extra_attributes.begin(), extra_attributes.end());
  NamedTensors tensors = model.aux_tensors();
  tensors.insert(tensors.end(), extra_tensors.begin(), extra_tensors.end());
  save_flow(path, *model.flow, attributes, tensors);
}

JetModel restore_jet_model(const Checkpoint& checkpoint) {
  JetModel model;
  model.kind = checkpoint.string_attribute("model.kind");
  model.particles = checkpoint.int_attribute("model.particles");
  model.scaled_zero_mass = checkpoint.double_attribute("model.scaled_zero_mass");
  model.jet_type = checkpoint.string_attribute("model.jet_type");
  check_metadata(checkpoint, model);
  model.flow = restore_flow(checkpoint, kJetModelTensors);
  check_aux_values(checkpoint, model.particles);
  const std::string origin = checkpoint.path;
  try {
    model.scaler = data::StandardScaler::from_arrays(arrays_from_checkpoint(checkpoint, kScalerPrefix));
    data::NamedArrays sampler = arrays_from_checkpoint(checkpoint, kSamplerPrefix);
    if (!sampler.empty()) model.sampler = ConditionalSampler::from_arrays(sampler);
  } catch (const DataError& e) {
    throw CheckpointError(fmt::format("{}: {}", origin, e.what()));
  }
  model.check(origin);
  return model;
}

JetModel load_jet_model(const std::string& path) { return restore_jet_model(load_checkpoint(path)); }

}  // namespace flowjet::flows
