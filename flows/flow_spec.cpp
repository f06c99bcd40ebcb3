// FlowSpec validation and the closed-form parameter count of flow-model.md §5.
#include "flows/flow_spec.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::flows {

CouplingKind parse_coupling_kind(const std::string& name) {
  if (name == "rqs" || name == "spline") return CouplingKind::RationalQuadratic;
  if (name == "affine") return CouplingKind::Affine;
  throw ConfigError(fmt::format("unknown coupling \"{}\" (expected rqs or affine)", name));
}

const char* coupling_kind_name(CouplingKind kind) { return kind == CouplingKind::Affine ? "affine" : "rqs"; }

void FlowSpec::validate() const {
  auto fail = [](const std::string& what) { throw ConfigError("flow spec: " + what); };
  if (features < 2) fail(fmt::format("features must be >= 2, got {}", features));
  if (coupling_layers < 1) fail(fmt::format("coupling_layers must be >= 1, got {}", coupling_layers));
  if (hidden_features < 1) fail(fmt::format("hidden_features must be >= 1, got {}", hidden_features));
  if (num_blocks < 0) fail(fmt::format("num_blocks must be >= 0, got {}", num_blocks));
  if (context_features < -1) fail(fmt::format("context_features must be -1 (none) or >= 0, got {}", context_features));
  if (!(dropout >= 0.0 && dropout < 1.0)) fail(fmt::format("dropout must be in [0, 1), got {}", dropout));
  if (coupling == CouplingKind::RationalQuadratic) {
    if (bins < 1) fail(fmt::format("bins must be >= 1, got {}", bins));
    if (static_cast<double>(bins) * 1e-3 > 1.0) fail(fmt::format("bins * min_bin_width must be <= 1, got {} bins", bins));
    if (!(tail_bound > 0.0)) fail(fmt::format("tail_bound must be > 0, got {}", tail_bound));
  }
  if (mask == MaskKind::WholeParticle && (features_per_particle < 1 || features % features_per_particle != 0))
    fail(fmt::format("features ({}) must be a multiple of features_per_particle ({})", features, features_per_particle));
}

int64_t FlowSpec::parameters_per_layer() const {
  // flow-model.md §5: |I| = floor(D/2) identity, |T| = ceil(D/2) transformed features.
  const int64_t D_T = (features + 1) / 2, D_I = features - D_T, H = hidden_features;
  const int64_t C = context_features > 0 ? context_features : 0;
  const int64_t P = coupling == CouplingKind::Affine ? 2 : 3 * bins - 1;
  const int64_t O = D_T * P;
  int64_t block = 2 * (H * H + H);
  if (context_features >= 0) block += C * H + H;
  if (batch_norm) block += 4 * H;
  return (D_I + C) * H + H + num_blocks * block + H * O + O;
}

}  // namespace flowjet::flows
