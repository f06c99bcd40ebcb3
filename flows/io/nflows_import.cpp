// nflows state dict -> flowjet flow. nflows 0.14 stores, per coupling layer l under
// "<prefix><l>.": the index buffers identity_features / transform_features (int64, the mask) and
// the ResidualNet "transform_net.{initial_layer, blocks.<b>.{linear_layers, batch_norm_layers,
// context_layer}.<k>, final_layer}"; flowjet names the same tensors "transforms.<l>.conditioner.*"
// (flows/conditioner/residual_net.cpp) with the same layouts.
#include "flows/io/nflows_import.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "flows/io/flow_checkpoint.h"

namespace flowjet::flows {

namespace {

constexpr const char* kLayers = "_transforms.";

using Layer = std::map<std::string, const StoredTensor*>;  // name inside the layer -> tensor

struct Split {
  std::vector<Layer> layers;
  std::string prefix;
  std::vector<std::string> ignored;
};

// Groups the tensors "<prefix>_transforms.<l>.<name>" by layer; the others are ignored.
Split split_layers(const TorchStateDict& state) {
  Split out;
  std::map<int64_t, Layer> layers;
  std::set<std::string> prefixes;
  for (const StoredTensor& t : state.tensors) {
    // "<prefix>" ends after the first "_transforms."; then up to 6 digits and a dot.
    const std::size_t at = t.name.find(kLayers);
    const std::size_t index = at == std::string::npos ? t.name.size() : at + std::strlen(kLayers);
    std::size_t digits = index;
    while (digits < t.name.size() && std::isdigit(static_cast<unsigned char>(t.name[digits]))) ++digits;
    if (digits == index || digits - index > 6 || digits >= t.name.size() || t.name[digits] != '.') {
      out.ignored.push_back(t.name);
      continue;
    }
    prefixes.insert(t.name.substr(0, index));
    layers[std::stoll(t.name.substr(index, digits - index))][t.name.substr(digits + 1)] = &t;
  }
  if (layers.empty())
    throw DataError(fmt::format("{}: no \"_transforms.<l>.\" tensors: not the state dict of an nflows flow", state.path));
  if (prefixes.size() != 1)
    throw DataError(fmt::format("{}: coupling layers under {} prefixes (\"{}\", ...): import one flow at a time",
                                state.path, prefixes.size(), *prefixes.begin()));
  out.prefix = *prefixes.begin();
  int64_t expected = 0;
  for (auto& [index, layer] : layers) {
    if (index != expected)
      throw DataError(fmt::format("{}: coupling layer {} is missing (layers are numbered 0..{})", state.path, expected,
                                  layers.rbegin()->first));
    out.layers.push_back(std::move(layer));
    ++expected;
  }
  return out;
}

const StoredTensor& layer_tensor(const TorchStateDict& state, const Split& split, int64_t l, const std::string& name) {
  const auto it = split.layers[static_cast<std::size_t>(l)].find(name);
  if (it == split.layers[static_cast<std::size_t>(l)].end())
    throw DataError(fmt::format("{}: coupling layer {}: tensor \"{}{}.{}\" is missing (is it an RQS or affine coupling "
                                "transform with a ResidualNet?)", state.path, l, split.prefix, l, name));
  return *it->second;
}

// The mask (1: transformed) from nflows' index buffers, which must partition 0..D-1.
std::vector<int> layer_mask(const TorchStateDict& state, const Split& split, int64_t l) {
  const StoredTensor& identity = layer_tensor(state, split, l, "identity_features");
  const StoredTensor& transform = layer_tensor(state, split, l, "transform_features");
  if (identity.dtype != StoredDtype::Int64 || transform.dtype != StoredDtype::Int64 || identity.shape.size() != 1 ||
      transform.shape.size() != 1)
    throw DataError(fmt::format("{}: coupling layer {}: identity_features and transform_features must be 1-d int64",
                                state.path, l));
  const std::size_t features = identity.i64.size() + transform.i64.size();
  std::vector<int> mask(features, -1);
  for (const auto* indices : {&identity.i64, &transform.i64})
    for (const int64_t i : *indices) {
      if (i < 0 || static_cast<std::size_t>(i) >= features || mask[static_cast<std::size_t>(i)] != -1)
        throw DataError(fmt::format("{}: coupling layer {}: identity_features and transform_features do not partition "
                                    "0..{} (index {})", state.path, l, features - 1, i));
      mask[static_cast<std::size_t>(i)] = indices == &transform.i64 ? 1 : 0;
    }
  return mask;
}

struct LayerShape {
  int64_t hidden = 0, blocks = 0, context = -1, params_per_feature = 0;
  bool batch_norm = false;
  bool operator!=(const LayerShape& o) const {
    return hidden != o.hidden || blocks != o.blocks || context != o.context ||
           params_per_feature != o.params_per_feature || batch_norm != o.batch_norm;
  }
  std::string str() const {
    return fmt::format("hidden {}, {} blocks, context {}, batch norm {}, {} parameters per feature", hidden, blocks,
                       context, batch_norm ? "on" : "off", params_per_feature);
  }
};

LayerShape layer_shape(const TorchStateDict& state, const Split& split, int64_t l, const std::vector<int>& mask) {
  auto matrix = [&](const std::string& name) {
    const StoredTensor& t = layer_tensor(state, split, l, "transform_net." + name);
    if (t.shape.size() != 2) throw DataError(fmt::format("{}: coupling layer {}: \"{}\" is not a matrix", state.path, l, name));
    return t.shape;
  };
  LayerShape s;
  const std::vector<int64_t> initial = matrix("initial_layer.weight"), final_layer = matrix("final_layer.weight");
  s.hidden = initial[0];
  const Layer& layer = split.layers[static_cast<std::size_t>(l)];
  while (layer.count(fmt::format("transform_net.blocks.{}.linear_layers.0.weight", s.blocks))) ++s.blocks;
  s.batch_norm = layer.count("transform_net.blocks.0.batch_norm_layers.0.weight") > 0;
  if (layer.count("transform_net.blocks.0.context_layer.weight")) s.context = matrix("blocks.0.context_layer.weight")[1];
  int64_t transformed = 0;
  for (const int m : mask) transformed += m;
  const int64_t identity = static_cast<int64_t>(mask.size()) - transformed;
  if (initial[1] != identity + std::max<int64_t>(s.context, 0))
    throw DataError(fmt::format("{}: coupling layer {}: initial_layer takes {} inputs but the mask has {} identity "
                                "features and there are {} context features", state.path, l, initial[1], identity,
                                std::max<int64_t>(s.context, 0)));
  if (transformed == 0 || final_layer[0] % transformed != 0)
    throw DataError(fmt::format("{}: coupling layer {}: final_layer has {} outputs, not a multiple of the {} "
                                "transformed features", state.path, l, final_layer[0], transformed));
  s.params_per_feature = final_layer[0] / transformed;
  return s;
}

// The flowjet name (inside "transforms.<l>.") of an nflows layer tensor; "" for one flowjet does not
// keep (a batch norm's num_batches_tracked, unused with a fixed momentum).
std::string flowjet_name(const std::string& name) {
  const std::string net = "transform_net.";
  if (name.compare(0, net.size(), net) != 0) return "?";
  if (name.size() > 20 && name.compare(name.size() - 20, 20, ".num_batches_tracked") == 0) return "";
  std::string out = "conditioner." + name.substr(net.size());
  for (const auto& [from, to] : {std::pair<std::string, std::string>{".linear_layers.", ".linear_"},
                                 {".batch_norm_layers.", ".batch_norm_"}}) {
    const std::size_t at = out.find(from);
    if (at != std::string::npos) out.replace(at, from.size(), to);
  }
  return out;
}

FlowSpec resolve_spec(const TorchStateDict& state, const std::vector<LayerShape>& shapes,
                      const std::vector<std::vector<int>>& masks, const NflowsImportOptions& options) {
  const LayerShape& first = shapes[0];
  for (std::size_t l = 0; l < shapes.size(); ++l) {
    if (shapes[l] != first)
      throw DataError(fmt::format("{}: coupling layer {} ({}) differs from layer 0 ({}): flowjet builds every layer alike",
                                  state.path, l, shapes[l].str(), first.str()));
    if (masks[l].size() != masks[0].size())
      throw DataError(fmt::format("{}: coupling layer {} has {} features, layer 0 has {}", state.path, l,
                                  masks[l].size(), masks[0].size()));
  }
  if (!options.coupling)
    throw ConfigError("the coupling kind is not in a state dict: give --coupling rqs or affine");
  // nflows has these two coupling classes; other registered couplings have no nflows layout.
  if (*options.coupling != CouplingKind::RationalQuadratic && *options.coupling != CouplingKind::Affine)
    throw ConfigError(fmt::format("nflows import maps rqs and affine couplings, not \"{}\"", options.coupling->name()));
  FlowSpec spec;
  spec.features = static_cast<int64_t>(masks[0].size());
  spec.coupling_layers = static_cast<int64_t>(masks.size());
  spec.coupling = *options.coupling;
  const int64_t P = first.params_per_feature;
  if (spec.coupling == CouplingKind::Affine) {
    if (P != 2)
      throw DataError(fmt::format("{}: affine coupling needs 2 parameters per transformed feature, the tensors have {}",
                                  state.path, P));
  } else {
    // RQS with linear tails: K widths, K heights and K - 1 interior derivatives.
    if ((P + 1) % 3 != 0 || P < 2)
      throw DataError(fmt::format("{}: {} parameters per transformed feature is not 3K - 1 (RQS with linear tails)",
                                  state.path, P));
    spec.bins = (P + 1) / 3;
  }
  spec.hidden_features = first.hidden;
  spec.num_blocks = first.blocks;
  spec.context_features = first.context;
  spec.batch_norm = first.batch_norm;
  spec.tail_bound = options.tail_bound;
  spec.dropout = options.dropout;
  spec.seed = options.seed;
  if (spec.coupling == CouplingKind::RationalQuadratic && options.bins && *options.bins != spec.bins)
    throw DataError(fmt::format("{}: --bins {} disagrees with the tensors ({})", state.path, *options.bins, spec.bins));
  bool alternating = true;
  for (std::size_t l = 0; l < masks.size(); ++l)
    alternating = alternating && masks[l] == alternating_mask(spec.features, l % 2 == 0);
  spec.mask = alternating ? MaskKind::Alternating : MaskKind::Explicit;
  if (!alternating) spec.explicit_masks = masks;
  bool all_f64 = true;
  for (const StoredTensor& t : state.tensors)
    if (t.dtype == StoredDtype::Float32) all_f64 = false;
  spec.dtype = options.dtype ? *options.dtype : (all_f64 ? DType::F64 : DType::F32);
  try {
    spec.validate();
  } catch (const ConfigError& e) {
    throw DataError(fmt::format("{}: {}", state.path, e.what()));
  }
  return spec;
}

}  // namespace

NflowsImport import_nflows_state_dict(const TorchStateDict& state, const NflowsImportOptions& options) {
  Split split = split_layers(state);
  const auto L = static_cast<int64_t>(split.layers.size());
  std::vector<std::vector<int>> masks;
  std::vector<LayerShape> shapes;
  for (int64_t l = 0; l < L; ++l) {
    masks.push_back(layer_mask(state, split, l));
    shapes.push_back(layer_shape(state, split, l, masks.back()));
  }
  NflowsImport out;
  out.flow = std::make_unique<Flow>(resolve_spec(state, shapes, masks, options));
  out.prefix = split.prefix;
  out.container_key = state.container_key;
  out.ignored = split.ignored;

  std::map<std::string, Tensor> targets;  // the flow's parameters and buffers by name, but the masks
  for (const NamedTensor& t : flow_state(*out.flow))
    if (t.name.size() < 5 || t.name.compare(t.name.size() - 5, 5, ".mask") != 0) targets.emplace(t.name, t.tensor);
  std::vector<std::pair<Tensor, std::vector<double>>> copies;  // all checked before any is copied
  for (int64_t l = 0; l < L; ++l)
    for (const auto& [name, stored] : split.layers[static_cast<std::size_t>(l)]) {
      if (name == "identity_features" || name == "transform_features") continue;
      const std::string target_name = flowjet_name(name);
      if (target_name.empty()) {
        ++out.dropped;
        continue;
      }
      const std::string full = fmt::format("transforms.{}.{}", l, target_name);
      const auto it = targets.find(full);
      if (it == targets.end())
        throw DataError(fmt::format("{}: unknown tensor \"{}{}.{}\" in coupling layer {} (only ResidualNet conditioners "
                                    "of RQS or affine coupling transforms are supported)", state.path, split.prefix, l,
                                    name, l));
      if (Shape(stored->shape) != it->second.shape())
        throw DataError(fmt::format("{}: tensor \"{}{}.{}\" has shape {}, the flow needs {}", state.path, split.prefix,
                                    l, name, Shape(stored->shape).str(), it->second.shape().str()));
      std::vector<double> values = stored->to_doubles();
      for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
          throw DataError(fmt::format("{}: tensor \"{}{}.{}\" has the non-finite value {} at flat index {}", state.path,
                                      split.prefix, l, name, values[i], i));
      copies.emplace_back(it->second, std::move(values));
      targets.erase(it);
    }
  if (!targets.empty())
    throw DataError(fmt::format("{}: the flow needs \"{}\", which has no tensor in the state dict", state.path,
                                targets.begin()->first));
  for (auto& [target, values] : copies)
    target.copy_(Tensor::from_vector(values, target.shape(), DType::F64));
  out.flow->eval();
  return out;
}

NflowsImport import_nflows_file(const std::string& input, const std::string& output, const NflowsImportOptions& options) {
  NflowsImport imported = import_nflows_state_dict(read_torch_state_dict(input), options);
  Attributes attributes;
  attributes["import.source"] = std::string("nflows");
  const std::size_t slash = input.find_last_of('/');
  attributes["import.file"] = slash == std::string::npos ? input : input.substr(slash + 1);
  attributes["import.prefix"] = imported.prefix;
  save_flow(output, *imported.flow, attributes);
  return imported;
}

}  // namespace flowjet::flows
