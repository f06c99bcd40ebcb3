// Flow spec attributes and flow state round trip through engine checkpoints.
#include "flows/io/flow_checkpoint.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::flows {

namespace {

DType parse_dtype(const Checkpoint& checkpoint, const std::string& name) {
  if (name == "f32") return DType::F32;
  if (name == "f64") return DType::F64;
  throw CheckpointError(fmt::format("{}: attribute flow.dtype is \"{}\" (expected f32 or f64)", checkpoint.path, name));
}

// Enum parsers throw ConfigError without the file; re-throw naming file and attribute.
template <typename Parse>
auto parse_enum(const Checkpoint& checkpoint, const std::string& key, Parse parse) {
  const std::string& value = checkpoint.string_attribute(key);
  try {
    return parse(value);
  } catch (const ConfigError& e) {
    throw CheckpointError(fmt::format("{}: attribute {}: {}", checkpoint.path, key, e.what()));
  }
}

}  // namespace

void put_flow_spec(Attributes& attributes, const FlowSpec& spec) {
  attributes["flow.features"] = spec.features;
  attributes["flow.coupling_layers"] = spec.coupling_layers;
  attributes["flow.coupling"] = std::string(coupling_kind_name(spec.coupling));
  attributes["flow.bins"] = spec.bins;
  attributes["flow.tail_bound"] = spec.tail_bound;
  attributes["flow.hidden_features"] = spec.hidden_features;
  attributes["flow.num_blocks"] = spec.num_blocks;
  attributes["flow.context_features"] = spec.context_features;
  attributes["flow.dropout"] = spec.dropout;
  attributes["flow.batch_norm"] = int64_t{spec.batch_norm ? 1 : 0};
  attributes["flow.mask"] = std::string(mask_kind_name(spec.mask));
  attributes["flow.features_per_particle"] = spec.features_per_particle;
  // The seed is a uint64: stored as a decimal string so every value survives.
  attributes["flow.seed"] = std::to_string(spec.seed);
  attributes["flow.dtype"] = std::string(dtype_name(spec.dtype));
}

bool has_flow_spec(const Checkpoint& checkpoint) { return checkpoint.attributes.count("flow.features") > 0; }

FlowSpec read_flow_spec(const Checkpoint& checkpoint) {
  if (!has_flow_spec(checkpoint))
    throw CheckpointError(fmt::format("{}: not a flow checkpoint (no flow.* attributes)", checkpoint.path));
  FlowSpec spec;
  spec.features = checkpoint.int_attribute("flow.features");
  spec.coupling_layers = checkpoint.int_attribute("flow.coupling_layers");
  spec.coupling = parse_enum(checkpoint, "flow.coupling", parse_coupling_kind);
  spec.bins = checkpoint.int_attribute("flow.bins");
  spec.tail_bound = checkpoint.double_attribute("flow.tail_bound");
  spec.hidden_features = checkpoint.int_attribute("flow.hidden_features");
  spec.num_blocks = checkpoint.int_attribute("flow.num_blocks");
  spec.context_features = checkpoint.int_attribute("flow.context_features");
  spec.dropout = checkpoint.double_attribute("flow.dropout");
  spec.batch_norm = checkpoint.int_attribute("flow.batch_norm") != 0;
  spec.mask = parse_enum(checkpoint, "flow.mask", parse_mask_kind);
  spec.features_per_particle = checkpoint.int_attribute("flow.features_per_particle");
  const std::string& seed = checkpoint.string_attribute("flow.seed");
  try {
    std::size_t used = 0;
    spec.seed = std::stoull(seed, &used);
    if (used != seed.size()) throw std::invalid_argument(seed);
  } catch (const std::exception&) {
    throw CheckpointError(fmt::format("{}: attribute flow.seed is \"{}\" (expected a decimal uint64)", checkpoint.path, seed));
  }
  spec.dtype = parse_dtype(checkpoint, checkpoint.string_attribute("flow.dtype"));
  try {
    spec.validate();
  } catch (const ConfigError& e) {
    throw CheckpointError(fmt::format("{}: {}", checkpoint.path, e.what()));
  }
  return spec;
}

NamedTensors flow_state(const Flow& flow) {
  NamedTensors state = flow.named_parameters();
  for (NamedTensor& buffer : flow.named_buffers()) state.push_back(std::move(buffer));
  return state;
}

std::unique_ptr<Flow> restore_flow(const Checkpoint& checkpoint) {
  auto flow = std::make_unique<Flow>(read_flow_spec(checkpoint));
  copy_into(checkpoint, flow_state(*flow));
  flow->eval();
  return flow;
}

void save_flow(const std::string& path, const Flow& flow, const Attributes& attributes, const NamedTensors& extra_tensors) {
  Attributes all = attributes;
  put_flow_spec(all, flow.spec());
  NamedTensors tensors = flow_state(flow);
  tensors.insert(tensors.end(), extra_tensors.begin(), extra_tensors.end());
  save_checkpoint(path, tensors, all);
}

std::unique_ptr<Flow> load_flow(const std::string& path) { return restore_flow(load_checkpoint(path)); }

}  // namespace flowjet::flows
