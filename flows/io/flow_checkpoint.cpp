// Flow spec attributes and flow state round trip through engine checkpoints.
#include "flows/io/flow_checkpoint.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

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

// True when `name` is one of `allowed`: an exact name, or a prefix when the entry ends in "/".
bool is_allowed(const std::string& name, const std::vector<std::string>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& entry) {
    return entry.back() == '/' ? name.compare(0, entry.size(), entry) == 0 : name == entry;
  });
}

// The values the flow's state will take, checked before anything is copied: every entry finite, and
// each coupling mask exactly 0/1 with as many 1s as the mask the spec builds (the conditioner's
// input and output sizes were set from that count, so another count would mis-split the features).
void check_flow_values(const Checkpoint& checkpoint, const NamedTensors& state) {
  for (const NamedTensor& expected : state) {
    const std::vector<double> values = checkpoint.tensor(expected.name).to_vector();
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!std::isfinite(values[i]))
        throw CheckpointError(fmt::format("{}: tensor \"{}\" has the non-finite value {} at flat index {}",
                                          checkpoint.path, expected.name, values[i], i));
    const std::string suffix = ".mask";
    const bool is_mask = expected.name.size() > suffix.size() &&
                         expected.name.compare(expected.name.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (!is_mask) continue;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i] != 0.0 && values[i] != 1.0)
        throw CheckpointError(fmt::format("{}: mask \"{}\" has the value {} at index {} (a mask holds only 0 and 1)",
                                          checkpoint.path, expected.name, values[i], i));
    const std::vector<double> built = expected.tensor.to_vector();
    const auto ones = std::count(values.begin(), values.end(), 1.0), expected_ones = std::count(built.begin(), built.end(), 1.0);
    if (ones != expected_ones)
      throw CheckpointError(fmt::format("{}: mask \"{}\" transforms {} of {} features, the flow's spec transforms {}",
                                        checkpoint.path, expected.name, ones, values.size(), expected_ones));
  }
}

// MaskKind::Explicit: the masks are the layers' mask tensors "transforms.<l>.mask", read before the
// flow is built because they decide each conditioner's input and output sizes.
std::vector<std::vector<int>> read_explicit_masks(const Checkpoint& checkpoint, int64_t layers, int64_t features) {
  std::vector<std::vector<int>> masks;
  for (int64_t l = 0; l < layers; ++l) {
    const std::string name = fmt::format("transforms.{}.mask", l);
    const Tensor* stored = checkpoint.find(name);
    if (stored == nullptr)
      throw CheckpointError(fmt::format("{}: attribute flow.mask is \"explicit\" but the tensor \"{}\" is missing",
                                        checkpoint.path, name));
    if (stored->ndim() != 1 || stored->size(0) != features)
      throw CheckpointError(fmt::format("{}: mask \"{}\" has shape {}, the flow has {} features", checkpoint.path, name,
                                        stored->shape().str(), features));
    std::vector<int> mask;
    for (const double v : stored->to_vector()) {
      if (v != 0.0 && v != 1.0)
        throw CheckpointError(fmt::format("{}: mask \"{}\" holds the value {} (a mask holds only 0 and 1)",
                                          checkpoint.path, name, v));
      mask.push_back(v == 1.0 ? 1 : 0);
    }
    masks.push_back(std::move(mask));
  }
  return masks;
}

}  // namespace

void put_flow_spec(Attributes& attributes, const FlowSpec& spec) {
  attributes["flow.features"] = spec.features;
  attributes["flow.coupling_layers"] = spec.coupling_layers;
  attributes["flow.coupling"] = spec.coupling.name();  // a registered name (flows/coupling/coupling_registry.h)
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
  if (spec.mask == MaskKind::Explicit)
    spec.explicit_masks = read_explicit_masks(checkpoint, spec.coupling_layers, spec.features);
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

std::unique_ptr<Flow> restore_flow(const Checkpoint& checkpoint, const std::vector<std::string>& other_tensors) {
  auto flow = std::make_unique<Flow>(read_flow_spec(checkpoint));
  const NamedTensors state = flow_state(*flow);
  check_compatible(checkpoint, state);
  for (const NamedTensor& stored : checkpoint.tensors) {
    const bool is_state = std::any_of(state.begin(), state.end(), [&](const NamedTensor& t) { return t.name == stored.name; });
    if (is_state || is_allowed(stored.name, other_tensors)) continue;
    const std::string known = other_tensors.empty() ? "" : fmt::format(" and {}", fmt::join(other_tensors, ", "));
    throw CheckpointError(fmt::format("{}: unexpected tensor \"{}\" (the file may hold only the flow's tensors{})",
                                      checkpoint.path, stored.name, known));
  }
  check_flow_values(checkpoint, state);
  copy_into(checkpoint, state);
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
