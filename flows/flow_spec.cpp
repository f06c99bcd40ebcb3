// FlowSpec validation and the closed-form parameter count of flow-model.md §5.
#include "flows/flow_spec.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "flows/coupling/coupling_registry.h"

namespace flowjet::flows {

CouplingKind parse_coupling_kind(const std::string& name) { return CouplingKind(find_coupling(name).name); }

const char* coupling_kind_name(const CouplingKind& kind) { return kind.name().c_str(); }

void FlowSpec::validate() const {
  auto fail = [](const std::string& what) { throw ConfigError("flow spec: " + what); };
  if (features < 2) fail(fmt::format("features must be >= 2, got {}", features));
  if (coupling_layers < 1) fail(fmt::format("coupling_layers must be >= 1, got {}", coupling_layers));
  if (hidden_features < 1) fail(fmt::format("hidden_features must be >= 1, got {}", hidden_features));
  if (num_blocks < 0) fail(fmt::format("num_blocks must be >= 0, got {}", num_blocks));
  if (context_features < -1) fail(fmt::format("context_features must be -1 (none) or >= 0, got {}", context_features));
  if (!(dropout >= 0.0 && dropout < 1.0)) fail(fmt::format("dropout must be in [0, 1), got {}", dropout));
  try {
    const CouplingInfo& info = find_coupling(coupling.name());
    if (info.validate) info.validate(*this);
  } catch (const ConfigError& e) {
    fail(e.what());
  }
  if (mask == MaskKind::WholeParticle && (features_per_particle < 1 || features % features_per_particle != 0))
    fail(fmt::format("features ({}) must be a multiple of features_per_particle ({})", features, features_per_particle));
  if (mask != MaskKind::Explicit) {
    if (!explicit_masks.empty()) fail("explicit masks are given but the mask kind is " + std::string(mask_kind_name(mask)));
    return;
  }
  if (static_cast<int64_t>(explicit_masks.size()) != coupling_layers)
    fail(fmt::format("mask = explicit needs one mask per coupling layer ({}), got {} (explicit masks come from an "
                     "imported or saved flow, not from a configuration)", coupling_layers, explicit_masks.size()));
  for (std::size_t l = 0; l < explicit_masks.size(); ++l) {
    const std::vector<int>& m = explicit_masks[l];
    if (static_cast<int64_t>(m.size()) != features)
      fail(fmt::format("the explicit mask of coupling layer {} has {} entries, the flow has {} features", l, m.size(), features));
    int64_t ones = 0;
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (m[i] != 0 && m[i] != 1) fail(fmt::format("the explicit mask of coupling layer {} holds {} at index {} (only 0 and 1)", l, m[i], i));
      ones += m[i];
    }
    if (ones == 0 || ones == features)
      fail(fmt::format("the explicit mask of coupling layer {} transforms {} of {} features (needs at least one "
                       "transformed and one identity feature)", l, ones, features));
  }
}

int64_t FlowSpec::transformed_features(int64_t layer) const {
  if (mask != MaskKind::Explicit) return (features + 1) / 2;
  const std::vector<int>& m = explicit_masks.at(static_cast<std::size_t>(layer));
  int64_t ones = 0;
  for (const int v : m) ones += v > 0 ? 1 : 0;
  return ones;
}

int64_t FlowSpec::parameter_count() const {
  int64_t total = 0;
  for (int64_t l = 0; l < coupling_layers; ++l) total += parameters_per_layer(l);
  return total;
}

int64_t FlowSpec::parameters_per_layer(int64_t layer) const {
  // flow-model.md §5: |T| transformed (ceil(D/2) unless the masks are explicit), |I| = D - |T| identity.
  const int64_t D_T = transformed_features(layer), D_I = features - D_T, H = hidden_features;
  const int64_t C = context_features > 0 ? context_features : 0;
  const int64_t P = find_coupling(coupling.name()).parameters_per_feature(*this);
  const int64_t O = D_T * P;
  int64_t block = 2 * (H * H + H);
  if (context_features >= 0) block += C * H + H;
  if (batch_norm) block += 4 * H;
  return (D_I + C) * H + H + num_blocks * block + H * O + O;
}

}  // namespace flowjet::flows
