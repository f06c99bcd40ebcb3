// FlowSpec: every hyper-parameter that decides a flow's shape, in one struct. build_flow() is the
// one place where model shapes are decided; the spec travels with checkpoints as attributes.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/dtype.h"
#include "flows/masks.h"

namespace flowjet::flows {

enum class CouplingKind { RationalQuadratic, Affine };

/// "rqs" | "affine"; throws ConfigError otherwise.
CouplingKind parse_coupling_kind(const std::string& name);
const char* coupling_kind_name(CouplingKind kind);

struct FlowSpec {
  int64_t features = 90;           // D
  int64_t coupling_layers = 15;    // L
  CouplingKind coupling = CouplingKind::RationalQuadratic;
  int64_t bins = 5;                // K (spline only)
  double tail_bound = 6.0;         // B (spline only)
  int64_t hidden_features = 256;   // H
  int64_t num_blocks = 2;          // residual blocks per conditioner
  int64_t context_features = -1;   // -1: no context; 0: nflows' C = 0 quirk; 1: (m); 2: (m, n)
  double dropout = 0.0;
  bool batch_norm = false;
  MaskKind mask = MaskKind::Random;
  int64_t features_per_particle = 3;  // for MaskKind::WholeParticle
  uint64_t seed = 42;                 // initial weights and random masks
  DType dtype = DType::F32;

  /// Throws ConfigError naming the first bad field.
  void validate() const;
  /// Parameters of one coupling layer and of the whole flow (flow-model.md §5), without building it.
  int64_t parameters_per_layer() const;
  int64_t parameter_count() const { return parameters_per_layer() * coupling_layers; }
};

}  // namespace flowjet::flows
