// Conditional sampler for generation (training-recipe.md §8): p(m~, n) = p(n) p(m~ | n), with p(n) the
// empirical multiplicity distribution and, per n, the inverse CDF of the scaled mass as a PCHIP
// through (linspace(0, 1, N_n), jittered sorted masses).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "data/named_arrays.h"
#include "data/preprocess.h"
#include "engine/random/sequential_rng.h"
#include "flows/pchip.h"

namespace flowjet::flows {

/// Drawn conditions, grouped by n in ascending order: mass[i] is m~ of row i, n[i] its n.
struct SampledConditions {
  std::vector<double> mass;
  std::vector<int32_t> n;
  int64_t size() const { return static_cast<int64_t>(n.size()); }
  /// Context rows for the flow: [size, 1] = [m~] (context_features 1) or [size, 2] = [m~, n]
  /// (context_features 2). Throws flowjet::ShapeError for any other count.
  std::vector<float> context(int context_features) const;
};

class ConditionalSampler {
 public:
  ConditionalSampler() = default;

  /// Builds the sampler (training-recipe.md §8.1) from the rows `rows` of scaled_mass / n ([total]
  /// each): per multiplicity, sort the masses, add the jitter 0.01·a·b (a, b ~ U[0,1) from
  /// SequentialRng(derive_seed(seed, kSamplerJitterStream))), sort again, and interpolate the quantile
  /// function with PCHIP. Same inputs and seed give the same sampler. Throws
  /// flowjet::ShapeError for empty rows, mismatched sizes or an out-of-range row, and
  /// flowjet::NumericError for a non-finite mass or n < 0.
  static ConditionalSampler fit(const std::vector<double>& scaled_mass, const std::vector<int32_t>& n,
                                const std::vector<int64_t>& rows, uint64_t seed);

  /// The sampler of a prepared data set: its scaled masses and n on prepared.fit_rows (the
  /// training rows by default, all rows with the leak option), so scaler and sampler agree.
  static ConditionalSampler fit(const data::PreparedData& prepared, uint64_t seed);

  /// Draws `count` conditions (training-recipe.md §8.2): `count` n from p(n) first, then per distinct
  /// n (ascending) its masses Q_n(u), u ~ U[0,1). With mass_min the masses are clamped from below
  /// (the scaled zero mass m~_min of training-recipe.md §4). Throws flowjet::Error when not fitted.
  SampledConditions draw(int64_t count, SequentialRng& rng, std::optional<double> mass_min = std::nullopt) const;

  /// Q_n(u), the quantile function of the scaled mass for multiplicity n; throws
  /// flowjet::DataError when n never occurred in the fitted rows.
  double quantile(int32_t n, double u) const;

  /// The multiplicities present, ascending, and their jet counts.
  const std::vector<int32_t>& multiplicities() const { return multiplicities_; }
  const std::vector<int64_t>& counts() const { return counts_; }
  int64_t total() const { return total_; }
  /// p(n): fraction of fitted jets with multiplicity n (0 when absent).
  double probability(int32_t n) const;

  /// Serialisation hook: {"multiplicities": [K], "counts": [K], "masses": [total]} (masses are
  /// the jittered sorted values, concatenated in multiplicity order); exact round trip.
  data::NamedArrays to_arrays() const;
  /// Restores from to_arrays() output; throws flowjet::DataError naming a missing/bad array.
  static ConditionalSampler from_arrays(const data::NamedArrays& arrays);

 private:
  void build_interpolants();
  int64_t index_of(int32_t n) const;

  std::vector<int32_t> multiplicities_;
  std::vector<int64_t> counts_;
  std::vector<std::vector<double>> masses_;  // per multiplicity: jittered, sorted
  std::vector<std::optional<Pchip>> quantiles_;  // per multiplicity; empty when a single jet
  int64_t total_ = 0;
};

}  // namespace flowjet::flows
