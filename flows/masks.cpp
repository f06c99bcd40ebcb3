// Mask constructors of masks.h.
#include "flows/masks.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::flows {

MaskKind parse_mask_kind(const std::string& name) {
  if (name == "alternating") return MaskKind::Alternating;
  if (name == "random") return MaskKind::Random;
  if (name == "particle") return MaskKind::WholeParticle;
  if (name == "explicit") return MaskKind::Explicit;
  throw ConfigError(
      fmt::format("unknown mask kind \"{}\" (expected alternating, random, particle or explicit)", name));
}

const char* mask_kind_name(MaskKind kind) {
  switch (kind) {
    case MaskKind::Alternating: return "alternating";
    case MaskKind::Random: return "random";
    case MaskKind::WholeParticle: return "particle";
    case MaskKind::Explicit: return "explicit";
  }
  return "?";
}

std::vector<int> alternating_mask(int64_t features, bool even) {
  std::vector<int> mask(static_cast<std::size_t>(features));
  for (int64_t i = 0; i < features; ++i) mask[static_cast<std::size_t>(i)] = ((i % 2 == 0) == even) ? 1 : 0;
  return mask;
}

std::vector<int> random_mask(int64_t features, Generator& gen) {
  std::vector<int> mask(static_cast<std::size_t>(features), 0);
  std::vector<int64_t> perm = random_permutation(features, gen);
  for (int64_t i = 0; i < (features + 1) / 2; ++i) mask[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] = 1;
  return mask;
}

std::vector<int> whole_particle_mask(int64_t features, int64_t features_per_particle, Generator& gen) {
  if (features_per_particle <= 0 || features % features_per_particle != 0)
    throw ShapeError(fmt::format("whole-particle mask: {} features are not a multiple of {} per particle", features,
                                 features_per_particle));
  std::vector<int> particles = random_mask(features / features_per_particle, gen);
  std::vector<int> mask(static_cast<std::size_t>(features));
  for (int64_t i = 0; i < features; ++i)
    mask[static_cast<std::size_t>(i)] = particles[static_cast<std::size_t>(i / features_per_particle)];
  return mask;
}

namespace {
std::vector<int64_t> indices_where(const std::vector<int>& mask, bool transformed) {
  std::vector<int64_t> out;
  for (std::size_t i = 0; i < mask.size(); ++i)
    if ((mask[i] > 0) == transformed) out.push_back(static_cast<int64_t>(i));
  return out;
}
}  // namespace

std::vector<int64_t> identity_indices(const std::vector<int>& mask) { return indices_where(mask, false); }
std::vector<int64_t> transform_indices(const std::vector<int>& mask) { return indices_where(mask, true); }

}  // namespace flowjet::flows
