// training-recipe.md §2, built from engine ops so that it differentiates.
#include "flows/loss/jet_mass.h"

#include <limits>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/ops/binary/binary.h"
#include "engine/ops/clamp/clamp.h"
#include "engine/ops/gather/gather.h"
#include "engine/ops/reduce/reduce.h"
#include "engine/ops/unary/unary.h"

namespace flowjet::flows {
namespace {

constexpr double kMomentumClamp = 100.0;
// sqrt(clamp(a, tiny, inf)): the value differs from sqrt(max(a, 0)) by at most sqrt(tiny) = 1e-15, and
// the clamp stops the gradient where a <= tiny, so sqrt's infinite slope at 0 is never used.
constexpr double kSqrtFloor = 1e-30;

Tensor safe_sqrt(const Tensor& a) { return sqrt(clamp(a, kSqrtFloor, std::numeric_limits<double>::infinity())); }

std::vector<int64_t> feature_columns(int64_t particles, int64_t feature) {
  std::vector<int64_t> cols;
  for (int64_t p = 0; p < particles; ++p) cols.push_back(3 * p + feature);
  return cols;
}

}  // namespace

Tensor clamped_jet_mass(const Tensor& x) {
  if (x.ndim() != 2 || x.size(1) % 3 != 0)
    throw ShapeError(fmt::format("clamped_jet_mass: expected [batch, 3 * particles], got {}", x.shape().str()));
  const int64_t particles = x.size(1) / 3;
  Tensor eta = gather_columns(x, feature_columns(particles, 0));
  Tensor phi = gather_columns(x, feature_columns(particles, 1));
  Tensor pt = gather_columns(x, feature_columns(particles, 2));
  Tensor px = clamp(pt * cos(phi), -kMomentumClamp, kMomentumClamp);
  Tensor py = clamp(pt * sin(phi), -kMomentumClamp, kMomentumClamp);
  Tensor pz = clamp(pt * sinh(eta), -kMomentumClamp, kMomentumClamp);
  Tensor energy = safe_sqrt(square(px) + square(py) + square(pz));
  Tensor mass_squared = square(sum(energy, 1)) - square(sum(px, 1)) - square(sum(py, 1)) - square(sum(pz, 1));
  return safe_sqrt(mass_squared);
}

}  // namespace flowjet::flows
