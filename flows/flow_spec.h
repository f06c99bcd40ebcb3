// FlowSpec: every hyper-parameter that decides a flow's shape, in one struct. The Flow constructor
// (flows/flow.cpp) is the one place where a spec becomes layers; the spec travels with checkpoints
// as attributes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/dtype.h"
#include "flows/masks.h"

namespace flowjet::flows {

/// A coupling transform by its registered name ("rqs", "affine", or one added with register_coupling,
/// flows/coupling/coupling_registry.h). FlowSpec::validate checks that the name is registered.
class CouplingKind {
 public:
  explicit CouplingKind(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  bool operator==(const CouplingKind& other) const { return name_ == other.name_; }
  bool operator!=(const CouplingKind& other) const { return name_ != other.name_; }

  static const CouplingKind RationalQuadratic;  // "rqs"
  static const CouplingKind Affine;             // "affine"

 private:
  std::string name_;
};
inline const CouplingKind CouplingKind::RationalQuadratic{"rqs"};
inline const CouplingKind CouplingKind::Affine{"affine"};

/// A registered coupling name or alias -> its kind under the registered name; throws ConfigError
/// listing the registered names otherwise.
CouplingKind parse_coupling_kind(const std::string& name);
const char* coupling_kind_name(const CouplingKind& kind);

struct FlowSpec {
  int64_t features = 90;           // D
  int64_t coupling_layers = 15;    // L
  CouplingKind coupling{"rqs"};  // not CouplingKind::RationalQuadratic: safe in static initialisers
  int64_t bins = 5;                // K (spline only)
  double tail_bound = 6.0;         // B (spline only)
  int64_t hidden_features = 256;   // H
  int64_t num_blocks = 2;          // residual blocks per conditioner
  int64_t context_features = -1;   // -1: no context; 0: nflows' C = 0 quirk; 1: (m); 2: (m, n)
  double dropout = 0.0;
  bool batch_norm = false;
  MaskKind mask = MaskKind::Random;
  int64_t features_per_particle = 3;  // for MaskKind::WholeParticle
  // For MaskKind::Explicit: one 0/1 mask of `features` entries per coupling layer (1: transformed),
  // each with at least one 1 and one 0. Flow checkpoints keep them as the layers' mask tensors.
  std::vector<std::vector<int>> explicit_masks;
  uint64_t seed = 42;                 // initial weights and random masks
  DType dtype = DType::F32;

  /// Throws ConfigError naming the first bad field.
  void validate() const;
  /// Features that coupling layer `layer` transforms: ceil(D/2), or the 1s of its explicit mask.
  int64_t transformed_features(int64_t layer) const;
  /// Parameters of coupling layer `layer` and of the whole flow (flow-model.md §5), without building it.
  int64_t parameters_per_layer(int64_t layer = 0) const;
  int64_t parameter_count() const;
};

}  // namespace flowjet::flows
