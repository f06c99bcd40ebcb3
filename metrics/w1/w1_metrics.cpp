// W1^M, W1^P, W1^EFP (metric-definitions.md §5.2, 6, 7.4): per batch, 1-D W1 (wasserstein.h) between
// the two sets' values; batches x components are computed in parallel.
#include "metrics/w1/w1_metrics.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/jets/efp.h"
#include "metrics/jets/jet_mass.h"
#include "metrics/w1/wasserstein.h"

namespace flowjet::metrics {

namespace {

void check_inputs(const JetArray& set1, const JetArray& set2, const BatchPlan& plan, const char* metric) {
  check_jet_array_shape(set1, fmt::format("{}: first sample", metric));
  check_jet_array_shape(set2, fmt::format("{}: second sample", metric));
  check_jet_array_finite(set1, fmt::format("{}: first sample", metric));
  check_jet_array_finite(set2, fmt::format("{}: second sample", metric));
  check_batch_plan(plan, set1.jets, set2.jets, metric);
}

std::vector<double> gather_column(const std::vector<double>& features, int64_t components, int64_t c,
                                  const std::vector<int64_t>& rows) {
  std::vector<double> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) out[r] = features[static_cast<size_t>(rows[r] * components + c)];
  return out;
}

}  // namespace

BatchedMetric w1_of_jet_features(const std::vector<double>& features1,
                                 const std::vector<double>& features2, int64_t components,
                                 const BatchPlan& plan) {
  FLOWJET_CHECK(components >= 1, "w1_of_jet_features needs at least one component");
  const int64_t n1 = static_cast<int64_t>(features1.size()) / components;
  const int64_t n2 = static_cast<int64_t>(features2.size()) / components;
  check_batch_plan(plan, n1, n2, "w1_of_jet_features");
  BatchedMetric out;
  out.batch_values.assign(plan.size(), std::vector<double>(static_cast<size_t>(components), 0.0));
  const auto tasks = static_cast<int64_t>(plan.size()) * components;
  parallel_for(tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const auto b = static_cast<size_t>(t / components);
      const int64_t c = t % components;
      out.batch_values[b][static_cast<size_t>(c)] =
          wasserstein_1d(gather_column(features1, components, c, plan[b].first),
                         gather_column(features2, components, c, plan[b].second));
    }
  });
  aggregate_batches(out);
  return out;
}

BatchedMetric w1m(const JetArray& set1, const JetArray& set2, const BatchPlan& plan) {
  check_inputs(set1, set2, plan, "w1m");
  BatchedMetric out = w1_of_jet_features(relative_jet_masses(set1), relative_jet_masses(set2), 1, plan);
  out.component_names = {"mass"};
  return out;
}

BatchedMetric w1efp(const JetArray& set1, const JetArray& set2, const BatchPlan& plan) {
  check_inputs(set1, set2, plan, "w1efp");
  BatchedMetric out = w1_of_jet_features(efps_n4d4(set1), efps_n4d4(set2), kNumEfpN4D4, plan);
  out.component_names = {"efp0", "efp1", "efp2", "efp3", "efp4"};
  return out;
}

namespace {
// Feature f of every non-zero particle of the listed jets (metric-definitions.md §6 step 2: a particle is dropped
// only when all three features are exactly 0).
std::vector<double> particle_feature(const JetArray& jets, const std::vector<int64_t>& rows, int f) {
  std::vector<double> out;
  out.reserve(rows.size() * static_cast<size_t>(jets.particles));
  for (const int64_t j : rows) {
    const double* p = jets.jet(j);
    for (int64_t i = 0; i < jets.particles; ++i, p += 3)
      if (!(p[0] == 0.0 && p[1] == 0.0 && p[2] == 0.0)) out.push_back(p[f]);
  }
  return out;
}
}  // namespace

BatchedMetric w1p(const JetArray& set1, const JetArray& set2, const BatchPlan& plan) {
  check_inputs(set1, set2, plan, "w1p");
  BatchedMetric out;
  out.component_names = {"eta_rel", "phi_rel", "pt_rel"};
  out.batch_values.assign(plan.size(), std::vector<double>(3, 0.0));
  parallel_for(static_cast<int64_t>(plan.size()) * 3, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const auto b = static_cast<size_t>(t / 3);
      const int f = static_cast<int>(t % 3);
      auto u = particle_feature(set1, plan[b].first, f);
      auto v = particle_feature(set2, plan[b].second, f);
      out.batch_values[b][static_cast<size_t>(f)] =
          (u.empty() || v.empty()) ? std::numeric_limits<double>::infinity()
                                   : wasserstein_1d(std::move(u), std::move(v));
    }
  });
  aggregate_batches(out);
  return out;
}

namespace {
using MetricOnPlan = BatchedMetric (*)(const JetArray&, const JetArray&, const BatchPlan&);
BatchedMetric with_preset(MetricOnPlan metric, const char* name, uint64_t stream, const JetArray& set1,
                          const JetArray& set2, const EvalSettings& settings) {
  BatchedMetric out = metric(set1, set2, w1_batch_plan(settings, set1.jets, set2.jets, stream));
  const std::string warning = sample_size_warning(name, set1.jets, set2.jets);
  if (!warning.empty()) out.warnings.push_back(warning);
  return out;
}
}  // namespace

BatchedMetric w1m(const JetArray& set1, const JetArray& set2, const EvalSettings& settings) {
  return with_preset(static_cast<MetricOnPlan>(&w1m), "w1m", 0, set1, set2, settings);
}
BatchedMetric w1p(const JetArray& set1, const JetArray& set2, const EvalSettings& settings) {
  return with_preset(static_cast<MetricOnPlan>(&w1p), "w1p", 1, set1, set2, settings);
}
BatchedMetric w1efp(const JetArray& set1, const JetArray& set2, const EvalSettings& settings) {
  check_jet_array_shape(set1, "w1efp: first sample");
  check_jet_array_shape(set2, "w1efp: second sample");
  check_jet_array_finite(set1, "w1efp: first sample");
  check_jet_array_finite(set2, "w1efp: second sample");
  return w1efp_from_efps(efps_n4d4(set1), efps_n4d4(set2), settings);
}

BatchedMetric w1efp_from_efps(const std::vector<double>& efps1, const std::vector<double>& efps2,
                              const EvalSettings& settings) {
  const auto n1 = static_cast<int64_t>(efps1.size()) / kNumEfpN4D4;
  const auto n2 = static_cast<int64_t>(efps2.size()) / kNumEfpN4D4;
  if (efps1.size() % kNumEfpN4D4 != 0 || efps2.size() % kNumEfpN4D4 != 0 || n1 < 1 || n2 < 1)
    throw ShapeError(fmt::format("w1efp_from_efps: {} and {} values, expected positive multiples of {}",
                                 efps1.size(), efps2.size(), kNumEfpN4D4));
  // Batches from stream 2 (w1m: 0, w1p: 1), so that the three metrics draw different batches.
  BatchedMetric out = w1_of_jet_features(efps1, efps2, kNumEfpN4D4, w1_batch_plan(settings, n1, n2, 2));
  out.component_names = {"efp0", "efp1", "efp2", "efp3", "efp4"};
  const std::string warning = sample_size_warning("w1efp", n1, n2);
  if (!warning.empty()) out.warnings.push_back(warning);
  return out;
}

}  // namespace flowjet::metrics
