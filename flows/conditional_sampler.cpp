// Conditional sampler of training-recipe.md §8: building (sort, jitter, PCHIP quantile function),
// drawing (n from p(n), then m~ | n), and its named-array serialisation.
#include "flows/conditional_sampler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "data/streams.h"
#include "engine/core/error.h"
#include "engine/random/derive_seed.h"

namespace flowjet::flows {

std::vector<float> SampledConditions::context(int context_features) const {
  if (context_features != 1 && context_features != 2) {
    throw flowjet::ShapeError(fmt::format("SampledConditions::context: context_features must be 1 ([m]) or 2 ([m, n]), "
                                          "got {}", context_features));
  }
  std::vector<float> rows(static_cast<size_t>(size() * context_features));
  for (int64_t i = 0; i < size(); ++i) {
    rows[i * context_features] = static_cast<float>(mass[i]);
    if (context_features == 2) rows[i * 2 + 1] = static_cast<float>(n[i]);
  }
  return rows;
}

ConditionalSampler ConditionalSampler::fit(const std::vector<double>& scaled_mass, const std::vector<int32_t>& n,
                                           const std::vector<int64_t>& rows, uint64_t seed) {
  if (rows.empty() || scaled_mass.size() != n.size()) {
    throw flowjet::ShapeError(fmt::format("ConditionalSampler::fit: need rows to fit on and as many masses as n values "
                                          "(got {} rows, {} masses, {} n)", rows.size(), scaled_mass.size(), n.size()));
  }
  std::map<int32_t, std::vector<double>> groups;
  for (const int64_t row : rows) {
    if (row < 0 || row >= static_cast<int64_t>(n.size())) {
      throw flowjet::ShapeError(fmt::format("ConditionalSampler::fit: row {} outside [0, {})", row, n.size()));
    }
    if (!std::isfinite(scaled_mass[row]) || n[row] < 0) {
      throw flowjet::NumericError(fmt::format("ConditionalSampler::fit: row {} has mass {} and n {}", row,
                                              scaled_mass[row], n[row]));
    }
    groups[n[row]].push_back(scaled_mass[row]);
  }
  ConditionalSampler sampler;
  SequentialRng rng(derive_seed(seed, data::kSamplerJitterStream));
  for (auto& [multiplicity, values] : groups) {
    std::sort(values.begin(), values.end());
    // Non-negative jitter 0.01·a·b breaks ties between equal masses (training-recipe.md §8.1 step 3).
    for (double& v : values) {
      const double a = rng.uniform();
      const double b = rng.uniform();
      v += 0.01 * a * b;
    }
    std::sort(values.begin(), values.end());
    sampler.multiplicities_.push_back(multiplicity);
    sampler.counts_.push_back(static_cast<int64_t>(values.size()));
    sampler.masses_.push_back(std::move(values));
  }
  sampler.build_interpolants();
  return sampler;
}

ConditionalSampler ConditionalSampler::fit(const data::PreparedData& prepared, uint64_t seed) {
  return fit(prepared.scaled_mass, prepared.n, prepared.fit_rows, seed);
}

void ConditionalSampler::build_interpolants() {
  quantiles_.clear();
  total_ = 0;
  for (size_t k = 0; k < masses_.size(); ++k) {
    const std::vector<double>& values = masses_[k];
    total_ += static_cast<int64_t>(values.size());
    if (values.size() < 2) {
      quantiles_.emplace_back();  // a single jet: Q returns its mass (§8.1 step 5)
      continue;
    }
    // Levels as numpy.linspace(0, 1, N): i * (1 / (N - 1)), the last one exactly 1.
    const size_t count = values.size();
    const double step = 1.0 / static_cast<double>(count - 1);
    std::vector<double> levels(count);
    for (size_t i = 0; i < count; ++i) levels[i] = static_cast<double>(i) * step;
    levels.back() = 1.0;
    quantiles_.emplace_back(Pchip(std::move(levels), values));
  }
}

int64_t ConditionalSampler::index_of(int32_t n) const {
  const auto it = std::lower_bound(multiplicities_.begin(), multiplicities_.end(), n);
  if (it == multiplicities_.end() || *it != n) return -1;
  return it - multiplicities_.begin();
}

double ConditionalSampler::probability(int32_t n) const {
  const int64_t k = index_of(n);
  return k < 0 ? 0.0 : static_cast<double>(counts_[k]) / static_cast<double>(total_);
}

double ConditionalSampler::quantile(int32_t n, double u) const {
  const int64_t k = index_of(n);
  if (k < 0) {
    throw flowjet::DataError(fmt::format("ConditionalSampler: no fitted jet has n = {} particles", n));
  }
  return quantiles_[k] ? (*quantiles_[k])(u) : masses_[k].front();
}

SampledConditions ConditionalSampler::draw(int64_t count, SequentialRng& rng, std::optional<double> mass_min) const {
  if (total_ == 0) throw flowjet::Error("ConditionalSampler::draw: the sampler has not been fitted");
  // 1. n from p(n): a uniformly random fitted jet, located through the cumulative counts.
  std::vector<int64_t> cumulative(counts_.size());
  int64_t running = 0;
  for (size_t k = 0; k < counts_.size(); ++k) cumulative[k] = running += counts_[k];
  std::vector<int64_t> draws_per_k(counts_.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t jet = static_cast<int64_t>(rng.uniform_index(static_cast<uint64_t>(total_)));
    ++draws_per_k[std::upper_bound(cumulative.begin(), cumulative.end(), jet) - cumulative.begin()];
  }
  // 2. per multiplicity, ascending: m~ = Q_n(u), u ~ U[0, 1).
  SampledConditions out;
  out.mass.reserve(static_cast<size_t>(count));
  out.n.reserve(static_cast<size_t>(count));
  for (size_t k = 0; k < counts_.size(); ++k) {
    for (int64_t j = 0; j < draws_per_k[k]; ++j) {
      const double u = rng.uniform();
      double m = quantiles_[k] ? (*quantiles_[k])(u) : masses_[k].front();
      if (mass_min) m = std::max(m, *mass_min);
      out.mass.push_back(m);
      out.n.push_back(multiplicities_[k]);
    }
  }
  return out;
}

data::NamedArrays ConditionalSampler::to_arrays() const {
  data::NamedArrays arrays;
  const int64_t groups = static_cast<int64_t>(multiplicities_.size());
  arrays["multiplicities"] = {{groups}, std::vector<double>(multiplicities_.begin(), multiplicities_.end())};
  arrays["counts"] = {{groups}, std::vector<double>(counts_.begin(), counts_.end())};
  std::vector<double> masses;
  masses.reserve(static_cast<size_t>(total_));
  for (const auto& values : masses_) masses.insert(masses.end(), values.begin(), values.end());
  arrays["masses"] = {{total_}, std::move(masses)};
  return arrays;
}

ConditionalSampler ConditionalSampler::from_arrays(const data::NamedArrays& arrays) {
  const char* owner = "ConditionalSampler";
  const auto& multiplicities = data::require_array(arrays, "multiplicities", 1, owner).values;
  const auto& counts = data::require_array(arrays, "counts", 1, owner).values;
  const auto& masses = data::require_array(arrays, "masses", 1, owner).values;
  if (counts.size() != multiplicities.size()) {
    throw flowjet::DataError(fmt::format("{}: 'counts' has {} entries but 'multiplicities' has {}", owner,
                                         counts.size(), multiplicities.size()));
  }
  ConditionalSampler sampler;
  size_t offset = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const double count = counts[k];
    const bool ordered = k == 0 || multiplicities[k] > multiplicities[k - 1];
    // Compared as doubles before any cast: a count or multiplicity beyond size_t or int32 is refused, not wrapped.
    const bool fits = count <= static_cast<double>(masses.size() - offset) &&
                      multiplicities[k] <= static_cast<double>(std::numeric_limits<int32_t>::max());
    if (!(count >= 1) || count != std::floor(count) || !fits || multiplicities[k] != std::floor(multiplicities[k]) ||
        !(multiplicities[k] >= 0) || !ordered) {
      throw flowjet::DataError(fmt::format("{}: entry {} (n = {}, count = {}) is inconsistent with the {} stored masses "
                                           "or the ascending multiplicities", owner, k, multiplicities[k], count,
                                           masses.size()));
    }
    sampler.multiplicities_.push_back(static_cast<int32_t>(multiplicities[k]));
    sampler.counts_.push_back(static_cast<int64_t>(count));
    sampler.masses_.emplace_back(masses.begin() + static_cast<int64_t>(offset),
                                 masses.begin() + static_cast<int64_t>(offset + static_cast<size_t>(count)));
    offset += static_cast<size_t>(count);
  }
  if (offset != masses.size()) {
    throw flowjet::DataError(fmt::format("{}: counts sum to {} but {} masses are stored", owner, offset, masses.size()));
  }
  try {
    sampler.build_interpolants();
  } catch (const flowjet::Error& e) {
    throw flowjet::DataError(fmt::format("{}: stored masses are not valid: {}", owner, e.what()));
  }
  return sampler;
}

}  // namespace flowjet::flows
