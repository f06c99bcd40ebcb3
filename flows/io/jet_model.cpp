// JetModel: the flow plus scaler, sampler and generation metadata in one checkpoint.
#include "flows/io/jet_model.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::flows {

namespace {
constexpr const char* kScalerPrefix = "aux/scaler/";
constexpr const char* kSamplerPrefix = "aux/sampler/";
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
  model.flow = restore_flow(checkpoint);
  model.kind = checkpoint.string_attribute("model.kind");
  model.particles = checkpoint.int_attribute("model.particles");
  model.scaled_zero_mass = checkpoint.double_attribute("model.scaled_zero_mass");
  model.jet_type = checkpoint.string_attribute("model.jet_type");
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
