// The coupling registry: every coupling transform a FlowSpec may name ("rqs", "affine", ...), with what
// the rest of the code needs to know about it: its parameters per transformed feature (the closed-form
// count of flow-model.md §5), its spec checks, a one-line description and a factory for one layer.
// The flow builder, FlowSpec, the model summary, checkpoints and bin/train's configuration schema all
// read this list, so a new coupling is its own files plus one registration (docs/architecture.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/random/generator.h"
#include "flows/conditioner/residual_net.h"
#include "flows/coupling/coupling_transform.h"
#include "flows/flow_spec.h"

namespace flowjet::flows {

/// What a factory receives to build coupling layer number `layer` of the flow of `spec`.
struct CouplingLayerArgs {
  const FlowSpec& spec;
  int64_t layer;
  std::vector<int> mask;  // length spec.features: 1 transformed, 0 identity
  ResidualNetSpec net;    // the conditioner's shape from the spec (the coupling sets in/out sizes)
  Generator& init;        // initial weights
  Generator& dropout_gen; // dropout masks in training mode
};

struct CouplingInfo {
  /// The name in configurations (model.coupling) and checkpoints (flow.coupling).
  std::string name;
  /// Conditioner outputs per transformed feature for `spec` (e.g. 3K - 1 for the spline).
  std::function<int64_t(const FlowSpec&)> parameters_per_feature;
  /// Builds one layer; its conditioner must output parameters_per_feature(spec) values per transformed feature.
  std::function<std::unique_ptr<CouplingTransform>(const CouplingLayerArgs&)> make;
  /// One line for summaries and logs, without the name: "5 bins (K), tail bound 6 (B), linear tails".
  std::function<std::string(const FlowSpec&)> describe;
  /// Optional: throws ConfigError naming a spec field this coupling cannot use (e.g. bins < 1).
  std::function<void(const FlowSpec&)> validate;
  /// Other names accepted when parsing (never written).
  std::vector<std::string> aliases;
};

/// Adds a coupling after the built-ins; throws ConfigError when the name or an alias is taken or a
/// required member (name, parameters_per_feature, make, describe) is empty.
void register_coupling(CouplingInfo info);
/// The coupling named `name` (or one of its aliases); throws ConfigError listing the registered names.
const CouplingInfo& find_coupling(const std::string& name);
/// The registered names in registration order (built-ins first), without aliases.
std::vector<std::string> coupling_names();
/// "rqs, affine or scale" (for messages).
std::string coupling_names_text();
/// The spec's coupling as "name: description" ("rqs: 5 bins (K), tail bound 6 (B), linear tails").
std::string describe_coupling(const FlowSpec& spec);

}  // namespace flowjet::flows
