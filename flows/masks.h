// Coupling masks (flow-model.md §2.1): which of the D features a coupling layer transforms (1) and
// which it passes through and feeds to its conditioner (0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/random/generator.h"

namespace flowjet::flows {

/// Explicit: the masks are given (FlowSpec::explicit_masks), e.g. those of an imported nflows flow.
enum class MaskKind { Alternating, Random, WholeParticle, Explicit };

/// "alternating" | "random" | "particle" | "explicit"; throws ConfigError for anything else.
MaskKind parse_mask_kind(const std::string& name);
const char* mask_kind_name(MaskKind kind);

/// m_i = 1 for even i when `even`, else for odd i.
std::vector<int> alternating_mask(int64_t features, bool even);
/// Exactly ceil(D/2) distinct positions set to 1, drawn uniformly without replacement.
std::vector<int> random_mask(int64_t features, Generator& gen);
/// ceil(P/2) of the P = D/features_per_particle particles drawn at random; all features of a chosen
/// particle are transformed together. Throws ShapeError if D is not a multiple of features_per_particle.
std::vector<int> whole_particle_mask(int64_t features, int64_t features_per_particle, Generator& gen);

/// Indices with m_i <= 0 (identity) and m_i > 0 (transformed), both increasing.
std::vector<int64_t> identity_indices(const std::vector<int>& mask);
std::vector<int64_t> transform_indices(const std::vector<int>& mask);

}  // namespace flowjet::flows
