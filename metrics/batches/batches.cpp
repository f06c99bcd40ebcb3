// Seeded batch resampling, presets and aggregation (metric-definitions.md §3).
#include "metrics/batches/batches.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

int64_t IndexSampler::draw(int64_t n) {
  FLOWJET_CHECK(n >= 1, "IndexSampler::draw needs n >= 1");
  const auto range = static_cast<uint64_t>(n);
  // Lemire: the high word of x * n is uniform in [0, n) once the biased low words are rejected.
  unsigned __int128 product = static_cast<unsigned __int128>(rng_.next_u64()) * range;
  auto low = static_cast<uint64_t>(product);
  if (low < range) {
    const uint64_t threshold = (0 - range) % range;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(rng_.next_u64()) * range;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<int64_t>(product >> 64);
}

std::vector<int64_t> IndexSampler::draw(int64_t n, int64_t count) {
  std::vector<int64_t> out(static_cast<size_t>(count));
  for (auto& index : out) index = draw(n);
  return out;
}

BatchPlan draw_batches(int64_t n1, int64_t n2, int64_t batch_size, int64_t num_batches,
                       uint64_t seed) {
  if (batch_size < 1 || num_batches < 1)
    throw ConfigError(fmt::format("draw_batches: batch size {} and number of batches {} must both be >= 1",
                                  batch_size, num_batches));
  if (n1 < 1 || n2 < 1)
    throw ShapeError(fmt::format("draw_batches: cannot draw from samples of {} and {} jets", n1, n2));
  IndexSampler sampler(seed);
  BatchPlan plan(static_cast<size_t>(num_batches));
  for (auto& batch : plan) {
    batch.first = sampler.draw(n1, batch_size);   // set 1 (real for COV/MMD) first
    batch.second = sampler.draw(n2, batch_size);
  }
  return plan;
}

BatchPlan identity_batch(int64_t n1, int64_t n2) {
  BatchIndices batch;
  batch.first.resize(static_cast<size_t>(n1));
  batch.second.resize(static_cast<size_t>(n2));
  for (int64_t i = 0; i < n1; ++i) batch.first[static_cast<size_t>(i)] = i;
  for (int64_t i = 0; i < n2; ++i) batch.second[static_cast<size_t>(i)] = i;
  return {batch};
}

EvalSettings preset_settings(Preset preset) {
  EvalSettings s;
  s.preset = preset;
  switch (preset) {
    case Preset::Talk:
      break;
    case Preset::Jetnet:
      s.w1_batch_size = 50000;
      s.average_components = false;
      break;
    case Preset::Full:
      s.w1_num_batches = 1;
      s.cov_num_batches = 1;
      s.average_components = false;
      break;
  }
  return s;
}

Preset parse_preset(const std::string& name) {
  if (name == "talk") return Preset::Talk;
  if (name == "jetnet") return Preset::Jetnet;
  if (name == "full") return Preset::Full;
  throw ConfigError(fmt::format("unknown metrics preset \"{}\" (expected talk, jetnet or full)", name));
}

const char* preset_name(Preset preset) {
  switch (preset) {
    case Preset::Talk: return "talk";
    case Preset::Jetnet: return "jetnet";
    case Preset::Full: return "full";
  }
  return "?";
}

BatchPlan w1_batch_plan(const EvalSettings& settings, int64_t n1, int64_t n2, uint64_t stream) {
  if (settings.preset == Preset::Full) return identity_batch(n1, n2);
  return draw_batches(n1, n2, settings.w1_batch_size, settings.w1_num_batches,
                      settings.seed + 1000003ULL * stream);
}

BatchPlan cov_batch_plan(const EvalSettings& settings, int64_t n_real, int64_t n_gen) {
  if (settings.preset == Preset::Full) {
    if (settings.cov_n < 1) throw ConfigError(fmt::format("cov_n = {} must be >= 1", settings.cov_n));
    return identity_batch(std::min(settings.cov_n, n_real), std::min(settings.cov_n, n_gen));
  }
  return draw_batches(n_real, n_gen, settings.cov_batch_size, settings.cov_num_batches,
                      settings.seed + 1000003ULL * 7);
}

void aggregate_batches(BatchedMetric& metric) {
  FLOWJET_CHECK(!metric.batch_values.empty(), "aggregate_batches needs at least one batch");
  const size_t components = metric.batch_values[0].size();
  const double k = static_cast<double>(metric.batch_values.size());
  metric.mean.assign(components, 0.0);
  metric.std.assign(components, 0.0);
  for (const auto& values : metric.batch_values)
    for (size_t c = 0; c < components; ++c) metric.mean[c] += values[c];
  for (size_t c = 0; c < components; ++c) metric.mean[c] /= k;
  for (const auto& values : metric.batch_values)
    for (size_t c = 0; c < components; ++c) {
      const double d = values[c] - metric.mean[c];
      metric.std[c] += d * d;
    }
  double sum_mean = 0.0, sum_var = 0.0;
  for (size_t c = 0; c < components; ++c) {
    metric.std[c] = std::sqrt(metric.std[c] / k);
    sum_mean += metric.mean[c];
    sum_var += metric.std[c] * metric.std[c];
  }
  metric.combined_mean = sum_mean / static_cast<double>(components);
  metric.combined_std = std::sqrt(sum_var);
}

void check_batch_plan(const BatchPlan& plan, int64_t n1, int64_t n2, const std::string& what) {
  if (plan.empty()) throw ShapeError(fmt::format("{}: no batches given", what));
  for (size_t b = 0; b < plan.size(); ++b) {
    if (plan[b].first.empty() || plan[b].second.empty())
      throw ShapeError(fmt::format("{}: batch {} has {} and {} indices, both must be non-empty", what, b,
                                   plan[b].first.size(), plan[b].second.size()));
    for (const int64_t i : plan[b].first)
      if (i < 0 || i >= n1)
        throw ShapeError(fmt::format("{}: batch {} index {} out of range for the first sample of {} jets",
                                     what, b, i, n1));
    for (const int64_t i : plan[b].second)
      if (i < 0 || i >= n2)
        throw ShapeError(fmt::format("{}: batch {} index {} out of range for the second sample of {} jets",
                                     what, b, i, n2));
  }
}

std::string sample_size_warning(const std::string& metric, int64_t n1, int64_t n2) {
  if (n1 >= 50000 && n2 >= 50000) return "";
  return fmt::format("{}: samples of {} and {} jets; jetnet recommends at least 50,000 jets each",
                     metric, n1, n2);
}

}  // namespace flowjet::metrics
